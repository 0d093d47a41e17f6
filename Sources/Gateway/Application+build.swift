import Anthropic
import Foundation
import HTTPClient
import Hummingbird
import Learning
import Logging
import NIOCore
import Postgres
import Redis
import SMS
import Scheduling
import ServiceLifecycle
import Slack

/// The long-lived parts of a gateway process, made once from the configuration and shared by every role.
package struct GatewayDependencies: Sendable {
    package let configuration: GatewayConfiguration
    package let logger: Logger
    package let postgres: PostgresConnectionPool
    package let redis: RedisConnectionPool
    package let httpClient: CurlHTTPClient
    package let metrics: GatewayMetrics
    package let migrator: PostgresMigrator
    /// The durable inbox every webhook is written to before it is acknowledged.
    package let inbox: PostgresInboxStore
    /// Every message we send, and what became of it.
    package let outbox: OutboxStore
    /// Slack's Web API, or a recorder when no bot token is configured (dev mode).
    package let slack: any SlackAPI
    /// The curriculum pack, loaded and validated at start.
    package let curriculum: CurriculumPack
    package let learningStore: PostgresLearningStore
    /// The deterministic planner (also inside `agent`), for turns that never go to an LLM.
    package let orchestrator: AgentOrchestrator
    /// The adaptive-learning agent: Claude's tool use when `ANTHROPIC_API_KEY` is set, falling back to the
    /// deterministic planner on any LLM failure; the deterministic planner alone otherwise.
    package let agent: any AgentTurnHandler
    /// The daily lessons in Postgres, the Redis set that wakes the scheduler, and the database's clock.
    package let deliveries: LessonDeliveryStore
    package let dueSet: DueSet
    package let databaseClock: DatabaseClock

    /// Makes the pools and clients. Nothing connects yet: pools open connections on first use.
    package init(configuration: GatewayConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        postgres = PostgresConnectionPool(
            configuration: PostgresConfiguration(
                url: configuration.databaseURL, maxConnections: configuration.databasePoolSize,
                statementTimeout: configuration.statementTimeout, searchPath: configuration.databaseSchema),
            logger: logger)
        redis = RedisConnectionPool(
            configuration: try RedisConfiguration(url: configuration.redisURL),
            maxConnections: configuration.redisPoolSize, logger: logger)
        httpClient = CurlHTTPClient()
        metrics = GatewayMetrics()
        migrator = PostgresMigrator(pool: postgres, migrations: try GatewayMigrations.all(), logger: logger)
        inbox = PostgresInboxStore(pool: postgres, writers: configuration.inboxWriters, logger: logger)
        outbox = OutboxStore(pool: postgres)
        do {
            curriculum = try CurriculumLoader().load(
                from: URL(fileURLWithPath: configuration.curriculumDirectory, isDirectory: true))
        } catch {
            // A broken pack stops the process like any other bad setting, naming the file, lesson and fault.
            throw ConfigurationError.malformed("CURRICULUM_DIR", expected: "a valid curriculum pack (\(error))")
        }
        learningStore = PostgresLearningStore(pool: postgres)
        orchestrator = AgentOrchestrator(
            curriculum: curriculum, store: learningStore, clock: SystemWallClock(), logger: logger)
        agent = try AdaptiveAgent(
            orchestrator: orchestrator, store: learningStore,
            anthropic: AnthropicConfiguration.ifConfigured(
                apiKey: configuration.anthropic.apiKey, model: configuration.anthropic.model,
                baseURL: configuration.anthropic.baseURL),
            transport: httpClient, logger: logger)
        deliveries = LessonDeliveryStore(pool: postgres)
        dueSet = DueSet(redis: redis, keyPrefix: configuration.redisKeyPrefix)
        databaseClock = DatabaseClock(pool: postgres)
        if let token = configuration.slack.botToken {
            slack = SlackWebAPIClient(transport: httpClient, baseURL: configuration.slack.apiBaseURL, botToken: token)
        } else {
            slack = RecordingSlackAPI(logger: logger)
        }
    }

    /// Processes stored webhooks: runs the agent and queues the replies.
    package var inboxProcessor: InboxProcessor {
        InboxProcessor(
            pool: postgres,
            slack: SlackInboxHandler(
                agent: agent, curriculum: curriculum, store: learningStore, outbox: outbox, postgres: postgres,
                adminUserIDs: Set(configuration.adminSlackUserIDs), slack: slack,
                dailyLessons: dailyLessons, logger: logger),
            sms: SMSInboxHandler(
                agent: agent, store: learningStore, outbox: outbox, postgres: postgres, logger: logger),
            curriculumSync: { [curriculum, postgres] in _ = try await CurriculumSync(pool: postgres).sync(curriculum) },
            metrics: metrics, logger: logger)
    }

    /// Sends queued SMS through Twilio (or logs them in dev mode, with no Twilio account configured).
    package var smsDispatcher: SMSDispatcher {
        let twilio: any TwilioAPI
        var sender = "dev"
        if let account = configuration.twilio.accountSID, let token = configuration.twilio.authToken,
            let from = configuration.twilio.messagingServiceSID.map({
                TwilioConfiguration.Sender.messagingService(sid: $0)
            })
                ?? configuration.twilio.fromNumber.flatMap({ try? PhoneNumber(validating: $0) }).map({ .number($0) })
        {
            twilio = TwilioMessagesClient(
                transport: httpClient,
                configuration: TwilioConfiguration(
                    accountSID: account, authToken: token, sender: from, baseURL: configuration.twilio.apiBaseURL))
            sender = configuration.twilio.messagingServiceSID ?? configuration.twilio.fromNumber ?? "default"
        } else {
            twilio = RecordingTwilioAPI(logger: logger)
        }
        return SMSDispatcher(
            outbox: outbox, twilio: twilio, postgres: postgres,
            pacer: ChannelPacer(
                redis: redis, prefix: configuration.redisKeyPrefix + "pace:sms:",
                interval: .milliseconds(Int64(1000 / configuration.twilio.messagesPerSecond))),
            sender: sender, statusCallback: configuration.publicBaseURL + "/twilio/status", metrics: metrics,
            logger: logger, sentStatus: configuration.twilio.accountSID == nil ? "recorded" : "sent")
    }

    /// Sends queued Slack messages, paced to one a second per channel across replicas.
    package var slackDispatcher: SlackDispatcher {
        SlackDispatcher(
            outbox: outbox, slack: slack,
            pacer: ChannelPacer(
                redis: redis, prefix: configuration.redisKeyPrefix + "pace:slack:", interval: .seconds(1)),
            metrics: metrics, logger: logger,
            sentStatus: configuration.slack.botToken == nil ? "recorded" : "sent")
    }

    /// Admin pushes: today's lesson due now, through the scheduler.
    package var dailyLessons: DailyLessons {
        DailyLessons(deliveries: deliveries, dueSet: dueSet)
    }

    /// Sends the daily lessons that are due.
    package var lessonDeliveryWorker: LessonDeliveryWorker {
        LessonDeliveryWorker(
            dueSet: dueSet, deliveries: deliveries, clock: databaseClock,
            lessons: LessonBuilder(store: learningStore, orchestrator: orchestrator), postgres: postgres,
            slack: slackDispatcher,
            metrics: metrics, logger: logger,
            curriculumSync: { [curriculum, postgres] in _ = try await CurriculumSync(pool: postgres).sync(curriculum) })
    }

    /// Plans deliveries, reconciles Redis with Postgres, and publishes the backlog gauges.
    package var lessonScheduler: LessonScheduler {
        LessonScheduler(
            planner: LessonPlanner(pool: postgres),
            reconciler: DeliveryReconciler(store: deliveries, dueSet: dueSet), clock: databaseClock, postgres: postgres,
            metrics: metrics, logger: logger)
    }

    /// Services that own connections, in start order. ServiceGroup shuts down in reverse order, and the HTTP
    /// server is added after these, so the server drains before any pool closes.
    package func services(for roles: Set<GatewayRole>) -> [any Service] {
        var services: [any Service] = [postgres, redis, HTTPClientService(client: httpClient)]
        if roles.contains(.web) { services.append(inbox) }
        if roles.contains(.worker) {
            services.append(inboxProcessor)
            services.append(slackDispatcher)
            services.append(smsDispatcher)
            services.append(
                MetricsSnapshotLogger(postgres: postgres, lateness: metrics.latenessWindow, logger: logger))
        }
        if roles.contains(.scheduler) {
            services.append(lessonScheduler)
            services.append(lessonDeliveryWorker)
        }
        return services
    }
}

/// The composition root: the HTTP application with its routes, middleware and services.
/// - Parameters:
///   - onServerRunning: called with the bound address once the server listens (tests bind port 0).
package func buildApplication(
    dependencies: GatewayDependencies,
    roles: Set<GatewayRole> = Set(GatewayRole.allCases),
    onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let configuration = dependencies.configuration
    let logger = dependencies.logger
    let router = buildRouter(dependencies: dependencies)
    let bodyTimeout = TimeAmount(configuration.httpBodyTimeout)
    return Application(
        router: router,
        // Slow clients: the idle timeout closes a connection whose headers never complete; the body timeout answers
        // 408 to one that sends headers and then stalls or trickles its body (every byte resets the idle clock).
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestBodyTimeoutHandler(timeout: bodyTimeout)],
                idleTimeout: TimeAmount(configuration.httpIdleTimeout))),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.bindHost, port: configuration.port), serverName: "learning-gateway"),
        services: dependencies.services(for: roles.union([.web])),
        onServerRunning: { channel in
            logger.notice(
                "gateway listening",
                metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "unknown")"])
            await onServerRunning(channel.localAddress)
        },
        logger: logger)
}

/// Makes the dependencies from `configuration` and builds the application.
package func buildApplication(configuration: GatewayConfiguration, logger: Logger) throws -> some ApplicationProtocol {
    buildApplication(dependencies: try GatewayDependencies(configuration: configuration, logger: logger))
}

/// Every route and the middleware in front of them.
package func buildRouter(dependencies: GatewayDependencies) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: dependencies.metrics))
    router.add(middleware: AccessLogMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBytes: dependencies.configuration.maxBodyBytes))
    HealthController(
        postgres: dependencies.postgres, redis: dependencies.redis, migrator: dependencies.migrator,
        metrics: dependencies.metrics
    ).register(on: router)
    SlackWebhookController(
        signingSecret: dependencies.configuration.slack.signingSecret, inbox: dependencies.inbox,
        metrics: dependencies.metrics, maxBodyBytes: dependencies.configuration.maxBodyBytes
    ).register(on: router)
    TwilioWebhookController(
        authToken: dependencies.configuration.twilio.authToken,
        publicBaseURL: dependencies.configuration.publicBaseURL, inbox: dependencies.inbox,
        metrics: dependencies.metrics, maxBodyBytes: dependencies.configuration.maxBodyBytes
    ).register(on: router)
    AgentAPIController(
        apiKeys: dependencies.configuration.apiKeys, agent: dependencies.agent, store: dependencies.learningStore,
        curriculum: dependencies.curriculum, maxBodyBytes: dependencies.configuration.maxBodyBytes
    ).register(on: router)
    return router
}
