# prod: three zones with a NAT gateway each, Postgres Multi-AZ with 14 days of point-in-time recovery and
# deletion protection, Redis with a replica and automatic failover, and at least two tasks of each role.
# Sizes are a starting point for tens of thousands of learners; docs/scaling.md has the arithmetic for more.

module "gateway" {
  source = "../../modules/gateway"

  name                  = "learning-gateway-prod"
  image                 = var.image
  cpu_architecture      = var.cpu_architecture
  public_base_url       = var.public_base_url
  certificate_arn       = var.certificate_arn
  environment           = merge({ LOG_LEVEL = "info", DATABASE_POOL_SIZE = "10", REDIS_POOL_SIZE = "8" }, var.environment)
  provider_secret_names = var.provider_secret_names
  kms_key_arn           = var.kms_key_arn
  alarm_emails          = var.alarm_emails

  network = {
    cidr_block               = "10.50.0.0/16"
    az_count                 = 3
    single_nat_gateway       = false
    flow_logs_retention_days = 30
  }

  load_balancer = {
    deletion_protection = true
    expose_agent_api    = var.expose_agent_api
  }

  database = {
    instance_class               = "db.m7g.large"
    allocated_storage            = 100
    max_allocated_storage        = 1000
    multi_az                     = true
    backup_retention_days        = 14
    deletion_protection          = true
    performance_insights_enabled = true
  }

  cache = {
    node_type               = "cache.m7g.large"
    num_cache_clusters      = 2
    automatic_failover      = true
    snapshot_retention_days = 1
  }

  web = {
    cpu       = 1024
    memory    = 2048
    min_count = 2
    max_count = 20
  }

  worker = {
    cpu       = 1024
    memory    = 2048
    min_count = 2
    max_count = 10
  }

  enable_execute_command = false
  log_retention_days     = 90
}
