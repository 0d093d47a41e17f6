output "replication_group_id" {
  description = "The replication group's id."
  value       = aws_elasticache_replication_group.this.id
}

output "member_cluster_ids" {
  description = "The node ids (CloudWatch dimension CacheClusterId): the replication group id with -001, -002…"
  value       = [for index in range(var.num_cache_clusters) : format("%s-%03d", var.name, index + 1)]
}

output "primary_endpoint_address" {
  description = "Host name of the primary (follows a failover)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}
