# Redis 7 on ElastiCache (cluster mode off: one shard, a primary and optional replicas). It holds timing
# (the scheduler's due set), pacing keys and caches, never the only copy of anything: the scheduler's
# reconciler rebuilds what it needs from Postgres. maxmemory-policy noeviction makes a full Redis refuse writes
# loudly instead of silently evicting due-set members or pacing keys; the memory alarm warns well before.

resource "aws_elasticache_subnet_group" "this" {
  name       = "${var.name}-redis"
  subnet_ids = var.private_subnet_ids
  tags       = var.tags
}

resource "aws_elasticache_parameter_group" "this" {
  name        = "${var.name}-redis7"
  family      = "redis7"
  description = "Learning Gateway Redis 7: never evict"

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }

  tags = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "Learning Gateway Redis"

  engine               = "redis"
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.this.name
  subnet_group_name    = aws_elasticache_subnet_group.this.name
  security_group_ids   = [var.security_group_id]

  num_cache_clusters         = var.num_cache_clusters
  automatic_failover_enabled = var.automatic_failover
  multi_az_enabled           = var.automatic_failover

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn == "" ? null : var.kms_key_arn
  transit_encryption_enabled = var.transit_encryption_enabled

  snapshot_retention_limit   = var.snapshot_retention_days
  maintenance_window         = var.maintenance_window
  auto_minor_version_upgrade = true
  apply_immediately          = var.apply_immediately

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !var.automatic_failover || var.num_cache_clusters >= 2
      error_message = "automatic_failover needs num_cache_clusters >= 2 (a replica to promote)."
    }
  }
}
