"""The one way to read a dealer's data.

Every model that belongs to a dealer declares two managers:

- ``objects`` (``DealerScopedManager``): ``Model.objects.for_dealer(dealer)`` is the only way in;
  any other use (``Model.objects.filter(...)``, ``.all()``, ``.get()``) raises ``UnscopedQuery``,
  so a forgotten scope fails in the first test that touches it instead of leaking data.
- ``all_dealers`` (a plain manager, Django's default manager): for Django admin, the vendor's
  operators, migrations and system jobs that deliberately walk every dealer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from samtykke.tenancy.models import Dealer

M = TypeVar("M", bound=models.Model)


class UnscopedQuery(RuntimeError):
    """A dealer-owned model was queried without naming the dealer."""


class DealerScopedQuerySet(models.QuerySet[M], Generic[M]):
    pass


class DealerScopedManager(models.Manager[M], Generic[M]):
    """``objects`` of every dealer-owned model: ``for_dealer(dealer)`` or nothing."""

    dealer_field = "dealer"

    def for_dealer(self, dealer: Dealer | int) -> models.QuerySet[M]:
        dealer_id = dealer if isinstance(dealer, int) else dealer.pk
        if dealer_id is None:
            raise UnscopedQuery("for_dealer() needs a saved dealer.")
        return super().get_queryset().filter(**{f"{self.dealer_field}_id": dealer_id})

    def get_queryset(self) -> models.QuerySet[M]:
        raise UnscopedQuery(
            f"{self.model.__name__}.objects must be scoped: use "
            f"{self.model.__name__}.objects.for_dealer(dealer) (or .all_dealers for system jobs)."
        )

    def create(self, **kwargs: Any) -> M:  # creation names its dealer explicitly
        if not (kwargs.get(self.dealer_field) or kwargs.get(f"{self.dealer_field}_id")):
            raise UnscopedQuery(f"{self.model.__name__} needs a dealer.")
        obj = self.model(**kwargs)
        obj.save(force_insert=True, using=self.db)
        return obj

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[M]:
        return self.model.all_dealers.bulk_create(objs, *args, **kwargs)  # type: ignore[attr-defined]


def scoped(model: type[M], dealer: Dealer | int) -> models.QuerySet[M]:
    """``scoped(Customer, dealer)``: the dealer's rows of a dealer-owned model."""
    return model.objects.for_dealer(dealer)  # type: ignore[attr-defined]


def get_for_dealer(model: type[M], dealer: Dealer | int, **lookup: Any) -> M:
    """One row of the dealer's, or ``model.DoesNotExist`` (so another dealer's row is a 404)."""
    return scoped(model, dealer).get(**lookup)
