"""The province → ministry exchange contract (部省联网): versioned wire models, never table items.

Why: both the province's forwarder and the ministry's exchange door speak this package, so what
crosses the stack boundary is stated once (docs/exchange.md). It imports only the standard
library, pydantic, `chalicelib.domain` and `chalicelib.errors`; importing the package itself
does no work (the models are imported where a request or a stream batch needs them).
"""
