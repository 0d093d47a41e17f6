# dev: small and cheap. Subnets span two zones (the load balancer and the DB subnet group need two), but
# Postgres and Redis are single-AZ, one NAT gateway serves both zones, and nothing is protected from deletion.

module "gateway" {
  source = "../../modules/gateway"

  name                  = "learning-gateway-dev"
  image                 = var.image
  cpu_architecture      = var.cpu_architecture
  public_base_url       = var.public_base_url
  certificate_arn       = var.certificate_arn
  environment           = merge({ LOG_LEVEL = "debug", DATABASE_POOL_SIZE = "5", REDIS_POOL_SIZE = "4" }, var.environment)
  provider_secret_names = var.provider_secret_names
  kms_key_arn           = var.kms_key_arn
  alarm_emails          = var.alarm_emails

  network = {
    cidr_block         = "10.40.0.0/16"
    az_count           = 2
    single_nat_gateway = true
  }

  load_balancer = {
    expose_agent_api = var.expose_agent_api
  }

  database = {
    instance_class               = "db.t4g.micro"
    allocated_storage            = 20
    max_allocated_storage        = 50
    multi_az                     = false
    backup_retention_days        = 3
    deletion_protection          = false
    performance_insights_enabled = false
    apply_immediately            = true
  }

  cache = {
    node_type          = "cache.t4g.micro"
    num_cache_clusters = 1
    automatic_failover = false
    apply_immediately  = true
  }

  web = {
    cpu       = 256
    memory    = 512
    min_count = 1
    max_count = 2
  }

  worker = {
    cpu       = 256
    memory    = 512
    min_count = 1
    max_count = 2
  }

  enable_execute_command = true
  log_retention_days     = 14
}
