import Foundation
import Logging

/// The deterministic planner: classifies each message, runs the tools it needs, answers, and remembers the
/// turn (redacted) and the interaction. It never knows which channel renders the reply.
package struct AgentOrchestrator: Sendable {
    package let curriculum: CurriculumPack
    package let toolbox: LearningToolbox
    package let memory: LearnerMemory
    let directory: any LearnerDirectory
    let attempts: any LessonAttemptStore
    let history: any QuizHistoryStore
    let paths: any LearningPathStore
    let clock: any WallClock
    let logger: Logger
    let classifier: IntentClassifier
    private let injectionScreen = PromptInjectionScreen()
    private let adviceGuard = AdviceGuard()

    package init(
        curriculum: CurriculumPack,
        directory: any LearnerDirectory,
        attempts: any LessonAttemptStore,
        history: any QuizHistoryStore,
        reviewStore: any ReviewStore,
        paths: any LearningPathStore,
        engagement: any EngagementStore,
        memoryStore: any MemoryStore,
        clock: any WallClock,
        logger: Logger
    ) {
        let redactor = PIIRedactor()
        self.curriculum = curriculum
        self.toolbox = LearningToolbox(
            curriculum: curriculum, attempts: attempts, history: history, reviewStore: reviewStore, paths: paths,
            engagement: engagement, clock: clock)
        self.memory = LearnerMemory(store: memoryStore, history: history, redactor: redactor, clock: clock)
        self.directory = directory
        self.attempts = attempts
        self.history = history
        self.paths = paths
        self.clock = clock
        self.logger = logger
        self.classifier = IntentClassifier(curriculum: curriculum)
    }

    /// Every dependency from one Postgres-backed store.
    package init(curriculum: CurriculumPack, store: PostgresLearningStore, clock: any WallClock, logger: Logger) {
        self.init(
            curriculum: curriculum, directory: store, attempts: store, history: store, reviewStore: store,
            paths: store, engagement: store, memoryStore: store, clock: clock, logger: logger)
    }

    /// The longest learner id accepted (Slack ids, E.164 numbers and API ids are far shorter).
    package static let maxLearnerIDLength = 128

    /// Handles one turn: resolves (or creates) the learner, answers, and records the turn and the interaction.
    package func handle(_ input: AgentInput) async throws -> AgentReply {
        guard !input.learnerID.isEmpty, input.learnerID.count <= Self.maxLearnerIDLength else {
            throw LearningError(
                code: .invalidInput,
                message: "an agent input needs a learner id of 1-\(Self.maxLearnerIDLength) characters")
        }
        let learnerID = try await directory.resolve(channel: input.channel, externalID: input.learnerID)
        let turn = Turn(learnerID: learnerID, channel: input.channel)
        let learnerText: String
        let interaction: String
        let reply: AgentReply

        if let action = input.action {
            learnerText = Self.describe(action)
            (interaction, reply) = try await perform(action, turn)
        } else if let text = input.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            learnerText = text
            if let rule = injectionScreen.matchedRule(in: text) {
                logger.warning(
                    "prompt injection screened",
                    metadata: ["learner": "\(learnerID)", "rule": "\(rule)", "channel": "\(input.channel.rawValue)"])
                interaction = "injection_blocked"
                reply = AgentReply(text: PromptInjectionScreen.safeAnswer, quickReplies: ["Next lesson", "Help"])
            } else {
                let open = try await openQuiz(turn)
                let intent = classifier.classify(text, openQuizOptions: open?.lesson.quiz.options)
                let advice = adviceGuard.check(text)
                // An answer to the open quiz is graded even if an option's text sounds like advice.
                if advice.isPersonalAdvice, !Self.isAnswer(intent) {
                    interaction = "advice_request"
                    reply = adviceReply(relatedTopic: advice.relatedTopic)
                } else {
                    interaction = intent.interaction
                    reply = try await respond(to: intent, turn, open: open)
                }
            }
        } else {
            learnerText = ""
            interaction = Intent.help.interaction
            reply = helpReply()
        }

        try await memory.remember(learnerID: learnerID, turns: [(.learner, learnerText), (.agent, reply.text)])
        try await toolbox.trackEngagement.record(
            learnerID: learnerID, interaction: interaction, channel: input.channel.rawValue)
        return reply
    }

    // MARK: - Planning

    struct Turn {
        let learnerID: UUID
        let channel: Channel
    }

    struct OpenQuiz {
        let attempt: LessonAttempt
        let lesson: Lesson
    }

    private func openQuiz(_ turn: Turn) async throws -> OpenQuiz? {
        guard let attempt = try await attempts.openAttempt(learnerID: turn.learnerID),
            let lesson = curriculum.lesson(id: attempt.lessonID)
        else { return nil }
        return OpenQuiz(attempt: attempt, lesson: lesson)
    }

    private func perform(_ action: AgentAction, _ turn: Turn) async throws -> (String, AgentReply) {
        switch action {
        case .answer(let attemptID, let optionIndex):
            guard let attempt = try await attempts.attempt(id: attemptID), attempt.learnerID == turn.learnerID,
                let lesson = curriculum.lesson(id: attempt.lessonID)
            else {
                return (
                    "quiz_answer",
                    AgentReply(
                        text: "That quiz is no longer available. Say \"next lesson\" for a new one.",
                        quickReplies: ["Next lesson"])
                )
            }
            let response = (0..<4).contains(optionIndex) ? Quiz.letter(optionIndex) : "\(optionIndex + 1)"
            return ("quiz_answer", try await answer(response, OpenQuiz(attempt: attempt, lesson: lesson), turn))
        case .nextLesson: return ("next_lesson", try await nextLesson(turn))
        case .startTopic(let topic):
            guard curriculum.topic(topic) != nil else { return ("learn_topic", offTopicReply()) }
            return ("learn_topic", try await learn(topic, turn))
        case .whatNext: return ("what_next", try await whatNext(turn))
        case .progress: return ("progress", try await progress(turn))
        case .mistakes: return ("mistakes", try await mistakes(turn))
        case .help: return ("help", helpReply())
        }
    }

    private func respond(to intent: Intent, _ turn: Turn, open: OpenQuiz?) async throws -> AgentReply {
        switch intent {
        case .greeting: return try await greeting(turn)
        case .learnTopic(let topic): return try await learn(topic, turn)
        case .nextLesson: return try await nextLesson(turn)
        case .answer(let text):
            guard let open else {
                return AgentReply(
                    text: "There's no open quiz right now. Say \"next lesson\" to get one.",
                    quickReplies: ["Next lesson"])
            }
            return try await answer(text, open, turn)
        case .whatNext: return try await whatNext(turn)
        case .progress: return try await progress(turn)
        case .mistakes: return try await mistakes(turn)
        case .help: return helpReply()
        case .practice(let topic, let industry): return try await practice(topic: topic, industry: industry, turn)
        case .offTopic: return offTopicReply()
        }
    }

    private static func isAnswer(_ intent: Intent) -> Bool {
        if case .answer = intent { return true }
        return false
    }

    private static func describe(_ action: AgentAction) -> String {
        switch action {
        case .answer(_, let index): "[answered \((0..<4).contains(index) ? Quiz.letter(index) : "\(index + 1)")]"
        case .nextLesson: "[next lesson]"
        case .startTopic(let topic): "[start topic \(topic)]"
        case .whatNext: "[what next]"
        case .progress: "[progress]"
        case .mistakes: "[mistakes]"
        case .help: "[help]"
        }
    }
}
