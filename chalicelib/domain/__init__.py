"""Pure domain: value types and rules of the maintenance record file. No I/O, no AWS."""
