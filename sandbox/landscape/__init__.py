"""The federated data landscape: registers, defects, the access policy (legal basis), audit log."""

from sandbox.landscape.audit import AUDIT_COLUMNS, AuditLog, empty_audit
from sandbox.landscape.defects import OBSERVED_PREFIX, Defects, load_defects, observe
from sandbox.landscape.events import EVENT_REGISTER
from sandbox.landscape.policy import Decision, Policy, load_policy
from sandbox.landscape.registers import Landscape, Register, load_landscape

__all__ = [
    "AUDIT_COLUMNS",
    "EVENT_REGISTER",
    "OBSERVED_PREFIX",
    "AuditLog",
    "Decision",
    "Defects",
    "Landscape",
    "Policy",
    "Register",
    "empty_audit",
    "load_defects",
    "load_landscape",
    "load_policy",
    "observe",
]
