# ECS on Fargate: one cluster, one image, three task definitions: the web role behind the load balancer, the
# worker and scheduler roles beside it, and a one-off `gateway migrate`. Both services scale on CPU; the web
# service also on requests per task.

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  # Settings every container gets. The image sets BIND_HOST, PORT, CURRICULUM_DIR and LOG_FORMAT too; they are
  # repeated so that the task definition says everything the process is told.
  base_environment = {
    BIND_HOST       = "0.0.0.0"
    PORT            = tostring(var.app_port)
    PUBLIC_BASE_URL = var.public_base_url
    LOG_FORMAT      = "json"
    CURRICULUM_DIR  = "/app/bots/curriculum"
  }
  environment = [
    for name, value in merge(local.base_environment, var.environment) : { name = name, value = value }
  ]
  secrets = [for name, arn in var.secret_arns : { name = name, valueFrom = arn }]

  # Parts of every container definition. The image runs as the unprivileged user 10001 and writes nothing to
  # disk, so its root file system is read-only, except with ECS Exec, whose agent must write inside the container.
  container_base = {
    name                   = "gateway"
    image                  = var.image
    essential              = true
    environment            = local.environment
    secrets                = local.secrets
    readonlyRootFilesystem = !var.enable_execute_command
    user                   = "10001:10001"
    stopTimeout            = var.stop_timeout_seconds
    ulimits                = [{ name = "nofile", softLimit = 65535, hardLimit = 65535 }]
    linuxParameters        = { initProcessEnabled = var.enable_execute_command }
  }

  log_options = {
    for role, group in var.log_group_names : role => {
      logDriver = "awslogs"
      options = {
        awslogs-group         = group
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = role
      }
    }
  }

  web_service_name    = "${var.name}-web"
  worker_service_name = "${var.name}-worker"
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  # Container Insights: per-service task counts, CPU and memory (the worker-not-running alarm reads it).
  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# --- Task definitions ---------------------------------------------------------------------------------------

locals {
  # What differs between the three task definitions. The worker and scheduler roles serve no HTTP, so they have
  # no port and no HTTP health check: ECS replaces the task when the process exits, and the worker-not-running
  # and worker-silent alarms watch the rest. The migration runs once per release, before the services take the
  # new image (docs/operations.md); migrations are idempotent and serialised by an advisory lock.
  # `extra` is JSON so that every entry has the same type (for_each needs a map).
  task_definitions = {
    web = {
      family  = local.web_service_name
      size    = { cpu = var.web.cpu, memory = var.web.memory }
      command = ["serve", "--roles", "web"]
      extra = jsonencode({
        portMappings = [{ containerPort = var.app_port, protocol = "tcp" }]
        # Liveness: /health answers while the process serves. The image carries curl for this probe.
        healthCheck = {
          command     = ["CMD-SHELL", "curl -fsS -o /dev/null http://127.0.0.1:${var.app_port}/health || exit 1"]
          interval    = 15
          timeout     = 3
          retries     = 3
          startPeriod = 30
        }
      })
    }
    worker = {
      family  = local.worker_service_name
      size    = { cpu = var.worker.cpu, memory = var.worker.memory }
      command = ["serve", "--roles", "worker,scheduler"]
      extra   = "{}"
    }
    migrate = {
      family  = "${var.name}-migrate"
      size    = { cpu = var.migrate.cpu, memory = var.migrate.memory }
      command = ["migrate"]
      extra   = "{}"
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  for_each = local.task_definitions

  family                   = each.value.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.size.cpu
  memory                   = each.value.size.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([merge(local.container_base, jsondecode(each.value.extra), {
    command          = each.value.command
    logConfiguration = local.log_options[each.key]
  })])

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(setintersection(keys(var.environment), keys(var.secret_arns))) == 0
      error_message = "A variable is both in `environment` and in `secret_arns`; secrets belong only in secret_arns."
    }
    precondition {
      condition = length(setintersection(keys(var.environment), [
        "DATABASE_URL", "REDIS_URL", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
        "ANTHROPIC_API_KEY", "GATEWAY_API_KEYS",
      ])) == 0
      error_message = "Secrets (DATABASE_URL, REDIS_URL, Slack, Twilio and Anthropic credentials, GATEWAY_API_KEYS) must come from Secrets Manager, not `environment`."
    }
  }
}

# --- Services -----------------------------------------------------------------------------------------------

# Created with the HTTPS listener, so that the services can wait for it.
resource "terraform_data" "listener" {
  input = var.https_listener_arn
}

# Both services keep every task running through a deployment (100% healthy, up to 200%) and roll back a
# deployment whose tasks keep failing. Many worker/scheduler replicas are safe at once (leases, SKIP LOCKED,
# the Lua claim), so old and new tasks may overlap.
locals {
  services = {
    web = {
      name          = local.web_service_name
      desired_count = var.web.min_count
      # A new web task gets this long to pass the load balancer's health check before ECS counts failures.
      grace_seconds = var.web.health_check_seconds
      load_balanced = true
    }
    worker = {
      name          = local.worker_service_name
      desired_count = var.worker.min_count
      grace_seconds = null
      load_balanced = false
    }
  }
}

resource "aws_ecs_service" "this" {
  for_each = local.services

  name                    = each.value.name
  cluster                 = aws_ecs_cluster.this.id
  task_definition         = aws_ecs_task_definition.this[each.key].arn
  desired_count           = each.value.desired_count
  launch_type             = "FARGATE"
  platform_version        = "LATEST"
  enable_execute_command  = var.enable_execute_command
  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  health_check_grace_period_seconds  = each.value.grace_seconds
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = each.value.load_balanced ? [var.target_group_arn] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = "gateway"
      container_port   = var.app_port
    }
  }

  tags = var.tags

  lifecycle {
    # Autoscaling owns the replica count after creation.
    ignore_changes = [desired_count]
  }

  # The web service registers with the target group, which must be attached to a listener first.
  depends_on = [terraform_data.listener]
}
