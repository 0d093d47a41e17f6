import HTTPClient
import Learning
import Logging

extension AdaptiveAgent {
    /// The agent for the gateway's configuration: Claude's tool use through `transport` when `anthropic` is set
    /// (see ``AnthropicConfiguration/ifConfigured(apiKey:model:baseURL:)``), else the deterministic planner alone.
    package init(
        orchestrator: AgentOrchestrator, store: PostgresLearningStore, anthropic: AnthropicConfiguration?,
        transport: any HTTPTransport, options: Options = .init(), clock: any WallClock = SystemWallClock(),
        logger: Logger
    ) throws {
        let model = anthropic.map { AnthropicClient(configuration: $0, transport: transport, logger: logger) }
        try self.init(
            orchestrator: orchestrator, store: store, languageModel: model, options: options, clock: clock,
            logger: logger)
    }
}
