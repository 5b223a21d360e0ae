"""The abuse matrix: each trust boundary tried as an attacker holding only what its party holds.

Why: the system exists so that owners, regulators and courts can rely on its records
(真实、可靠). Every file here takes one door, names the party and what it really holds (a
province's exchange credential, a shop's secret, a settlement list, a phone, a source IP), and
proves through the real door (HTTP to the app, stream events through the real handlers) that
it cannot write, read or block anything that is not its own. docs/security.md lists every
boundary with the test here that proves it; a new door adds its file.
"""
