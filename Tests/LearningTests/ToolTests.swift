import Foundation
import Learning
import Postgres
import Testing

extension DatabaseBacked {
    @Suite struct ToolTests {
        /// Shows `lessonID` and answers it with option `index` (B is correct in the fixture).
        private func answer(_ db: LearningDatabase, _ learner: UUID, _ lessonID: String, correct: Bool) async throws {
            let lesson = try #require(db.curriculum.lesson(id: lessonID))
            let card = try await db.toolbox.generateAdaptiveLesson.present(
                lesson, learnerID: learner, channel: "api", isReview: false)
            let attempt = try #require(try await db.store.attempt(id: card.attemptID))
            let result = try await db.toolbox.evaluateQuizResponse.submit(
                response: correct ? "B" : "A", attempt: attempt)
            guard case .graded(let verdict, _) = result else {
                Issue.record("answer was not graded")
                return
            }
            #expect(verdict.correct == correct)
            db.clock.advance(seconds: 60)
        }

        @Test func assessmentWeighsTheLatestAnswersMost() async throws {
            try await withLearningDatabase { db in
                let improving = try await db.newLearner()
                try await answer(db, improving, "apr-easy-1", correct: false)
                try await answer(db, improving, "apr-easy-2", correct: false)
                try await answer(db, improving, "apr-medium-1", correct: true)
                try await answer(db, improving, "apr-hard-1", correct: true)
                let slipping = try await db.newLearner()
                try await answer(db, slipping, "apr-easy-1", correct: true)
                try await answer(db, slipping, "apr-easy-2", correct: true)
                try await answer(db, slipping, "apr-medium-1", correct: false)
                try await answer(db, slipping, "apr-hard-1", correct: false)

                let up = try await db.toolbox.assessKnowledge.assess(learnerID: improving, topic: "apr")
                let down = try await db.toolbox.assessKnowledge.assess(learnerID: slipping, topic: "apr")
                #expect(up.answered == 4 && up.correct == 2)
                #expect(down.answered == 4 && down.correct == 2)
                #expect(up.mastery > 0.5 && up.level == .intermediate)
                #expect(down.mastery < 0.5 && down.level == .beginner)
                #expect(up.lastAnswerCorrect == true)

                let other = try await db.toolbox.assessKnowledge.assess(learnerID: improving, topic: "interest")
                #expect(other.answered == 0 && other.mastery == 0 && other.level == .beginner)
            }
        }

        @Test func assessingAnUnknownTopicFails() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let error = try await #require(throws: LearningError.self) {
                    try await db.toolbox.assessKnowledge.assess(learnerID: learner, topic: "crypto")
                }
                #expect(error.code == .unknownTopic)
                #expect(!error.description.contains("crypto"))  // caller input is never echoed
            }
        }

        @Test func adaptiveLessonPicksUnseenThenNearestDifficultyThenLeastRecentlySeen() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let tool = db.toolbox.generateAdaptiveLesson
                var shown: [String] = []
                for _ in 0..<6 {
                    let card = try await tool.nextLesson(
                        learnerID: learner, topic: "apr", difficulty: .easy, channel: "sms")
                    shown.append(card.lessonID)
                    db.clock.advance(seconds: 10)
                }
                // Both easy lessons, then the nearest difficulty (medium), then hard, then the oldest easy one again.
                #expect(
                    shown == ["apr-easy-1", "apr-easy-2", "apr-medium-1", "apr-hard-1", "apr-easy-1", "apr-easy-2"])
                #expect(
                    try await db.count("SELECT count(*) FROM lesson_attempts WHERE learner_id = $1", [learner]) == 6)
                let open = try #require(try await db.store.openAttempt(learnerID: learner))
                #expect(open.lessonID == "apr-easy-2")
                #expect(open.channel == "sms")
            }
        }

        @Test func adaptiveLessonForAnotherLearnerIgnoresWhatOthersSaw() async throws {
            try await withLearningDatabase { db in
                let first = try await db.newLearner()
                let second = try await db.newLearner()
                let tool = db.toolbox.generateAdaptiveLesson
                _ = try await tool.nextLesson(learnerID: first, topic: "apr", difficulty: .easy, channel: "api")
                let card = try await tool.nextLesson(learnerID: second, topic: "apr", difficulty: .easy, channel: "api")
                #expect(card.lessonID == "apr-easy-1")
                #expect(card.options.count == 4)
                #expect(card.topicTitle == "APR")
            }
        }

        @Test func hardRequestStartsAtHardThenFallsBackToMedium() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let tool = db.toolbox.generateAdaptiveLesson
                let first = try await tool.nextLesson(
                    learnerID: learner, topic: "interest", difficulty: .hard, channel: "api")
                let second = try await tool.nextLesson(
                    learnerID: learner, topic: "interest", difficulty: .hard, channel: "api")
                #expect(first.lessonID == "interest-hard-1")
                #expect(second.lessonID == "interest-medium-1")
            }
        }

        @Test func answeringTwiceRecordsOnlyTheFirstAnswer() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let card = try await db.toolbox.generateAdaptiveLesson.nextLesson(
                    learnerID: learner, topic: "apr", difficulty: .easy, channel: "api")
                let attempt = try #require(try await db.store.attempt(id: card.attemptID))
                let first = try await db.toolbox.evaluateQuizResponse.submit(response: "b", attempt: attempt)
                let again = try await db.toolbox.evaluateQuizResponse.submit(response: "a", attempt: attempt)
                guard case .graded(let verdict, _) = first else {
                    Issue.record("first answer not graded")
                    return
                }
                #expect(verdict.correct)
                #expect(again == .alreadyAnswered(lesson: try #require(db.curriculum.lesson(id: "apr-easy-1"))))
                #expect(try await db.count("SELECT count(*) FROM quiz_responses WHERE learner_id = $1", [learner]) == 1)
                #expect(try await db.store.openAttempt(learnerID: learner) == nil)
            }
        }

        @Test func unclearAnswerLeavesTheQuizOpenAndStoresNothing() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let card = try await db.toolbox.generateAdaptiveLesson.nextLesson(
                    learnerID: learner, topic: "apr", difficulty: .easy, channel: "api")
                let attempt = try #require(try await db.store.attempt(id: card.attemptID))
                let result = try await db.toolbox.evaluateQuizResponse.submit(response: "E", attempt: attempt)
                #expect(result == .notUnderstood(lesson: try #require(db.curriculum.lesson(id: "apr-easy-1"))))
                #expect(try await db.count("SELECT count(*) FROM quiz_responses") == 0)
                #expect(try await db.count("SELECT count(*) FROM review_items") == 0)
                #expect(try await db.store.openAttempt(learnerID: learner)?.id == card.attemptID)
            }
        }

        @Test func learningPathAdvancesKeepsOrReviewsAndIsStored() async throws {
            try await withLearningDatabase { db in
                let tool = db.toolbox.getLearningPath
                let cases: [(Double, String, Difficulty, GetLearningPathTool.Decision)] = [
                    (0.85, "interest", .hard, .advance), (0.65, "apr", .medium, .keep), (0.3, "apr", .easy, .review),
                    (0.8, "apr", .medium, .keep), (0.5, "apr", .medium, .keep),
                ]
                for (performance, topic, difficulty, decision) in cases {
                    let learner = try await db.newLearner()
                    try await db.store.savePath(
                        LearningPath(learnerID: learner, currentTopic: "apr", difficulty: .medium, upcomingTopics: []),
                        at: db.clock.now)
                    let step = try await tool.nextStep(
                        learnerID: learner, currentTopic: "apr", performance: performance)
                    #expect(step.decision == decision, "performance \(performance)")
                    #expect(step.nextTopic == topic, "performance \(performance)")
                    #expect(step.difficulty == difficulty, "performance \(performance)")
                    let stored = try #require(try await db.store.path(learnerID: learner))
                    #expect(stored.currentTopic == topic && stored.difficulty == difficulty)
                    #expect(stored.upcomingTopics == GetLearningPathTool.upcoming(after: topic, in: db.curriculum))
                }
            }
        }

        @Test func advancingFromTheLastTopicStaysAndRaisesDifficulty() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let step = try await db.toolbox.getLearningPath.nextStep(
                    learnerID: learner, currentTopic: "rewards", performance: 0.95)
                #expect(step.curriculumComplete)
                #expect(step.nextTopic == "rewards")
                #expect(step.difficulty == .medium)
                #expect(step.upcomingTopics.isEmpty)
            }
        }

        @Test func learningPathRejectsPerformanceOutsideZeroToOne() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let error = try await #require(throws: LearningError.self) {
                    try await db.toolbox.run(
                        "get_learning_path",
                        input: .object([
                            "learner_id": .string(learner.uuidString), "current_topic": .string("apr"),
                            "performance": .number(1.5),
                        ]))
                }
                #expect(error.code == .invalidToolInput)
                #expect(try await db.store.path(learnerID: learner) == nil)
            }
        }

        @Test func engagementIsRecordedWithKindAndDurationAndCounted() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let tool = db.toolbox.trackEngagement
                try await tool.track(
                    learnerID: learner, interaction: "lesson_viewed", durationMilliseconds: 1_500, channel: "sms")
                try await tool.track(learnerID: learner, interaction: "quiz_answered", durationMilliseconds: 500)
                let summary = try await tool.track(learnerID: learner, interaction: "quiz_answered")
                #expect(summary.total == 3)
                #expect(summary.byInteraction == ["lesson_viewed": 1, "quiz_answered": 2])
                #expect(summary.totalDurationMilliseconds == 2_000)
                let rows = try await db.pool.query(
                    "SELECT channel, duration_ms FROM engagement_events WHERE interaction = 'lesson_viewed'")
                #expect(try rows[0].decode(String?.self, "channel") == "sms")
                #expect(try rows[0].decode(Int?.self, "duration_ms") == 1_500)
            }
        }

        @Test(arguments: [("", 1), ("has spaces", 1), ("ok", -5), (String(repeating: "x", count: 65), 1)])
        func malformedEngagementIsRejectedBeforeAnythingIsStored(interaction: String, duration: Int) async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let error = try await #require(throws: LearningError.self) {
                    try await db.toolbox.trackEngagement.track(
                        learnerID: learner, interaction: interaction, durationMilliseconds: duration)
                }
                #expect(error.code == .invalidToolInput)
                #expect(try await db.count("SELECT count(*) FROM engagement_events") == 0)
            }
        }

        @Test func practiceScenarioIsAdaptedToTheIndustryAndDeterministic() throws {
            let pack = try FixtureCurriculum.pack()
            let tool = CreatePracticeScenarioTool(curriculum: pack)
            let restaurant = try tool.scenario(topic: "apr", industry: "Restaurant", difficulty: .easy)
            let again = try tool.scenario(topic: "apr", industry: "restaurant", difficulty: .easy)
            #expect(restaurant == again)
            #expect(restaurant.setup.contains("a restaurant"))
            #expect(restaurant.setup.contains("$8,000"))
            #expect(restaurant.steps.contains { $0.contains("$160") })  // 8,000 × 24% ÷ 12
            #expect(restaurant.basedOnLesson.hasPrefix("apr-easy"))
            let hard = try tool.scenario(topic: "apr", industry: "restaurant", difficulty: .hard)
            #expect(hard.setup.contains("$32,000"))
            #expect(hard.basedOnLesson == "apr-hard-1")
            let unknown = try tool.scenario(topic: "rewards", industry: "Beekeeping!!", difficulty: .medium)
            #expect(unknown.setup.contains("a beekeeping business"))
            #expect(throws: LearningError.self) {
                try tool.scenario(topic: "crypto", industry: "retail", difficulty: .easy)
            }
        }

        @Test func everyToolHasANameDescriptionAndSchemaAPlannerCanRead() throws {
            let pack = try FixtureCurriculum.pack()
            let toolbox = LearningToolbox(
                curriculum: pack, attempts: UnusedAttemptStore(), history: EmptyHistory(),
                reviewStore: UnusedReviewStore(),
                paths: EmptyPaths(), engagement: EmptyEngagement(), clock: FakeClock())
            #expect(
                toolbox.all.map(\.name) == [
                    "assess_knowledge", "generate_adaptive_lesson", "create_practice_scenario",
                    "evaluate_quiz_response",
                    "get_learning_path", "track_engagement",
                ])
            for tool in toolbox.all {
                #expect(!tool.description.isEmpty)
                #expect(tool.inputSchema.type == "object")
                for field in tool.inputSchema.required {
                    #expect(tool.inputSchema.properties[field] != nil, "\(tool.name).\(field)")
                }
                let json = try JSONValue.encoding(tool.inputSchema)
                #expect(json["properties"] != nil)
            }
        }

        @Test func toolsRunFromJSONAndReportBadInputByField() async throws {
            let pack = try FixtureCurriculum.pack()
            let toolbox = LearningToolbox(
                curriculum: pack, attempts: UnusedAttemptStore(), history: EmptyHistory(),
                reviewStore: UnusedReviewStore(),
                paths: EmptyPaths(), engagement: EmptyEngagement(), clock: FakeClock())
            let graded = try await toolbox.run(
                "evaluate_quiz_response",
                input: try JSONValue.parse(#"{"response": " B ", "expected": "apr-easy-1", "topic": "apr"}"#))
            #expect(graded["understood"] == .bool(true))
            #expect(graded["verdict"]?["correct"] == .bool(true))
            let unclear = try await toolbox.run(
                "evaluate_quiz_response", input: try JSONValue.parse(#"{"response": "z", "expected": "apr-easy-1"}"#))
            #expect(unclear["understood"] == .bool(false))

            let missing = try await #require(throws: LearningError.self) {
                try await toolbox.run("assess_knowledge", input: try JSONValue.parse(#"{"topic": "apr"}"#))
            }
            #expect(missing.code == .invalidToolInput)
            #expect(missing.message.contains("learner_id"))
            let badID = try await #require(throws: LearningError.self) {
                try await toolbox.run(
                    "assess_knowledge", input: try JSONValue.parse(#"{"topic": "apr", "learner_id": "x"}"#))
            }
            #expect(badID.message.contains("UUID"))
            let badDifficulty = try await #require(throws: LearningError.self) {
                try await toolbox.run(
                    "create_practice_scenario",
                    input: try JSONValue.parse(#"{"topic": "apr", "industry": "retail", "difficulty": "extreme"}"#))
            }
            #expect(badDifficulty.code == .invalidToolInput)
            let wrongTopic = try await #require(throws: LearningError.self) {
                try await toolbox.run(
                    "evaluate_quiz_response",
                    input: try JSONValue.parse(#"{"response": "b", "expected": "apr-easy-1", "topic": "rewards"}"#))
            }
            #expect(wrongTopic.code == .invalidToolInput)
            let unknown = try await #require(throws: LearningError.self) {
                try await toolbox.run("delete_everything", input: .object([:]))
            }
            #expect(unknown.code == .unknownTool)
            let scenario = try await toolbox.run(
                "create_practice_scenario",
                input: try JSONValue.parse(#"{"topic": "rewards", "industry": "retail", "difficulty": "easy"}"#))
            #expect(scenario["industry"] == .string("retail"))
        }
    }

    struct EmptyHistory: QuizHistoryStore {
        func responses(learnerID: UUID, topic: String?, limit: Int) async throws -> [QuizRecord] { [] }
    }

    struct EmptyPaths: LearningPathStore {
        func path(learnerID: UUID) async throws -> LearningPath? { nil }
        func savePath(_ path: LearningPath, at date: Date) async throws {}
    }

    struct EmptyEngagement: EngagementStore {
        func recordEngagement(_ event: EngagementEvent) async throws {}
        func engagementSummary(learnerID: UUID) async throws -> EngagementSummary {
            EngagementSummary(total: 0, byInteraction: [:], totalDurationMilliseconds: 0, lastInteractionAt: nil)
        }
    }
}
