# The whole deployment of one environment: network, load balancer, Postgres, Redis, secrets, logs and alarms,
# and the ECS services. environments/dev and environments/prod call this with their own sizes, so that the two
# differ only in the values they set.

locals {
  app_port = 8080
}

module "network" {
  source = "../network"

  name                     = var.name
  cidr_block               = var.network.cidr_block
  az_count                 = var.network.az_count
  single_nat_gateway       = var.network.single_nat_gateway
  flow_logs_retention_days = var.network.flow_logs_retention_days
  app_port                 = local.app_port
  tags                     = var.tags
}

module "alb" {
  source = "../alb"

  name                = var.name
  vpc_id              = module.network.vpc_id
  public_subnet_ids   = module.network.public_subnet_ids
  security_group_id   = module.network.alb_security_group_id
  certificate_arn     = var.certificate_arn
  app_port            = local.app_port
  idle_timeout        = var.load_balancer.idle_timeout
  expose_agent_api    = var.load_balancer.expose_agent_api
  deletion_protection = var.load_balancer.deletion_protection
  access_logs_bucket  = var.load_balancer.access_logs_bucket
  web_acl_arn         = var.load_balancer.web_acl_arn
  tags                = var.tags
}

module "database" {
  source = "../database"

  name                         = var.name
  private_subnet_ids           = module.network.private_subnet_ids
  security_group_id            = module.network.database_security_group_id
  engine_version               = var.database.engine_version
  instance_class               = var.database.instance_class
  allocated_storage            = var.database.allocated_storage
  max_allocated_storage        = var.database.max_allocated_storage
  multi_az                     = var.database.multi_az
  backup_retention_days        = var.database.backup_retention_days
  deletion_protection          = var.database.deletion_protection
  performance_insights_enabled = var.database.performance_insights_enabled
  apply_immediately            = var.database.apply_immediately
  kms_key_arn                  = var.kms_key_arn
  tags                         = var.tags
}

module "cache" {
  source = "../cache"

  name                    = var.name
  private_subnet_ids      = module.network.private_subnet_ids
  security_group_id       = module.network.cache_security_group_id
  engine_version          = var.cache.engine_version
  node_type               = var.cache.node_type
  num_cache_clusters      = var.cache.num_cache_clusters
  automatic_failover      = var.cache.automatic_failover
  snapshot_retention_days = var.cache.snapshot_retention_days
  apply_immediately       = var.cache.apply_immediately
  kms_key_arn             = var.kms_key_arn
  tags                    = var.tags
}

module "secrets" {
  source = "../secrets"

  name                  = var.name
  provider_secret_names = var.provider_secret_names
  kms_key_arn           = var.kms_key_arn
  database = {
    address  = module.database.address
    port     = module.database.port
    name     = module.database.database_name
    username = module.database.username
    password = module.database.master_password
  }
  redis = {
    address = module.cache.primary_endpoint_address
    port    = module.cache.port
  }
  tags = var.tags
}

module "observability" {
  source = "../observability"

  name                    = var.name
  log_retention_days      = var.log_retention_days
  alarm_emails            = var.alarm_emails
  alb_arn_suffix          = module.alb.arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  # The ECS module names its cluster NAME and its services NAME-web and NAME-worker.
  cluster_name            = var.name
  worker_service_name     = "${var.name}-worker"
  db_instance_identifier  = module.database.identifier
  cache_cluster_ids       = module.cache.member_cluster_ids
  snapshot_alarms_enabled = var.snapshot_alarms_enabled
  thresholds              = var.alarm_thresholds
  tags                    = var.tags
}

module "ecs" {
  source = "../ecs"

  name                    = var.name
  image                   = var.image
  cpu_architecture        = var.cpu_architecture
  public_base_url         = var.public_base_url
  environment             = var.environment
  secret_arns             = module.secrets.secret_arns
  secrets_kms_key_arn     = var.kms_key_arn
  private_subnet_ids      = module.network.private_subnet_ids
  security_group_id       = module.network.app_security_group_id
  target_group_arn        = module.alb.target_group_arn
  https_listener_arn      = module.alb.https_listener_arn
  alb_arn_suffix          = module.alb.arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  log_group_names         = module.observability.log_group_names
  app_port                = local.app_port
  web                     = var.web
  worker                  = var.worker
  enable_execute_command  = var.enable_execute_command
  tags                    = var.tags
}
