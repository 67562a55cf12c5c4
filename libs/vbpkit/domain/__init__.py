"""The shared domain kernel: the rules every service reads the same way — the execution policy
with its presets and date rules (DESIGN §4), exact money, the Chinese working-day calendar and
GB/T 2260 regions. A service's own rules stay in the service."""
