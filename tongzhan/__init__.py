"""tongzhan — 统战工作管理平台."""
