"""Labels defined by the foundation apps that the staff pages show: listed here so that
``makemessages`` puts them in the back office's catalogue (nb, en)."""

from django.utils.translation import gettext_noop as _

FOUNDATION_LABELS = [
    # consent.models.Status
    _("Given"),
    _("Refused"),
    _("Withdrawn"),
    _("Not asked"),
    _("Requested"),
    _("Awaiting confirmation"),
    _("Expired"),
    # consent.models.Source
    _("Customer's page"),
    _("Paper form"),
    _("Staff"),
    _("DMS (API)"),
    _("SMS reply"),
    _("Import"),
    _("GDPR reset"),
    _("E-mail confirmation"),
    _("System"),
    # customers.models.Contact.Kind
    _("Workshop order"),
    _("Vehicle sale"),
    _("Parts sale"),
    _("Other"),
    # tenancy.models
    _("Administrator"),
    _("Manual: staff record consent and print the paper form"),
    _("Assisted: customers answer an SMS with a personal link"),
    _("how consent is collected"),
    _("contact window (years)"),
    _("SMS sender name"),
    _("default language"),
    # imports.mapping.FIELDS
    _("First name"),
    _("Last name"),
    _("Street address"),
    _("Postal code"),
    _("City"),
    _("Order number"),
    _("Order date"),
    _("Order type"),
    _("Old SMS consent (kept as evidence only)"),
    _("Old e-mail consent (kept as evidence only)"),
    # imports.models.ImportJob.Status
    _("Uploaded: choose the columns"),
    _("Waiting to run"),
    _("Running"),
    _("Done"),
    _("Not imported: the file has bad rows"),
    _("Failed"),
]
