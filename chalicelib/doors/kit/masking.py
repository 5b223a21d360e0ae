"""What a regulator whose role may not see a shop's contacts sees in their place.

Why: the contact person's name and phone of a registry entry are personal data; roles without
`registry.contacts` see them masked, in the JSON API and on every console page alike.
"""

from __future__ import annotations

MASK = "******"
