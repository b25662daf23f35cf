"""``{% dealer_fragment "name" [key …] %}…{% end_dealer_fragment %}``: a part of a portal page
that depends only on the page's dealer, its language and the keys given, rendered once per process.

Kept with the dealer's page data (``portal/pagedata.py``), so it lives and dies with it: at most
``TTL_SECONDS``, and forgotten at once when the dealer, its purposes or its notices are saved
in this process. Nothing personal or per request (names, addresses, CSRF tokens, ``next``) may
go inside one. Without a saved dealer in the context the part is simply rendered.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from samtykke.portal.pagedata import dealer_page
from samtykke.tenancy.models import Dealer

register = template.Library()


class DealerFragmentNode(template.Node):
    def __init__(self, nodelist: NodeList, name: str, keys: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context: Context) -> SafeString:
        dealer = context.get("dealer")
        if not isinstance(dealer, Dealer) or dealer.pk is None:
            return self.nodelist.render(context)
        key = (self.name, translation.get_language(), *(k.resolve(context) for k in self.keys))
        fragments = dealer_page(dealer.pk).fragments
        html = fragments.get(key)
        if html is None:
            html = fragments[key] = self.nodelist.render(context)
        return mark_safe(html)  # the template's own output, escaped when it was rendered


@register.tag("dealer_fragment")
def dealer_fragment(parser: Parser, token: Token) -> DealerFragmentNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% dealer_fragment "name" [key …] %}.')
    nodelist = parser.parse(("end_dealer_fragment",))
    parser.delete_first_token()
    return DealerFragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])
