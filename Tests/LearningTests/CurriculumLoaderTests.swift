import Foundation
import Learning
import Testing

@Suite struct CurriculumLoaderTests {
    private func loadBroken(_ edit: (inout [String: [String: Any]]) -> Void) throws -> CurriculumError {
        let folder = try FixtureCurriculum.write(edit: edit)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try #require(throws: CurriculumError.self) { try CurriculumLoader().load(from: folder) }
    }

    private func editLesson(
        _ topics: inout [String: [String: Any]], topic: String = "apr", index: Int = 0,
        _ change: (inout [String: Any]) -> Void
    ) {
        var body = topics[topic]!
        var lessons = body["lessons"] as! [[String: Any]]
        change(&lessons[index])
        body["lessons"] = lessons
        topics[topic] = body
    }

    private func editQuiz(_ topics: inout [String: [String: Any]], _ change: @escaping (inout [String: Any]) -> Void) {
        editLesson(&topics) { lesson in
            var quiz = lesson["quiz"] as! [String: Any]
            change(&quiz)
            lesson["quiz"] = quiz
        }
    }

    @Test func validFixturePackLoadsInTopicOrderWithEveryLesson() throws {
        let pack = try FixtureCurriculum.pack()
        #expect(pack.name == "fixture")
        #expect(pack.topics.map(\.slug) == ["apr", "interest", "rewards"])
        #expect(pack.lessons.count == 10)
        let lesson = try #require(pack.lesson(id: "apr-medium-1"))
        #expect(lesson.topic == "apr")
        #expect(lesson.difficulty == .medium)
        #expect(lesson.keyPoints.count == 3)
        #expect(lesson.quiz.options.count == 4)
        #expect(lesson.quiz.correctIndex == 1)
        #expect(pack.lessons(in: "apr", difficulty: .easy).map(\.id) == ["apr-easy-1", "apr-easy-2"])
        #expect(pack.topic(after: "apr")?.slug == "interest")
        #expect(pack.topic(after: "rewards") == nil)
    }

    @Test func bundledCurriculumIsValidAndComplete() throws {
        let pack = try CurriculumLoader().load(from: RepositoryPaths.curriculum)
        #expect(
            pack.topics.map(\.slug) == [
                "apr", "interest", "credit-limits", "rewards", "payments-and-fees", "credit-scores",
                "fraud-and-security", "responsible-use",
            ])
        for topic in pack.topics {
            for difficulty in Difficulty.allCases {
                #expect(!pack.lessons(in: topic.slug, difficulty: difficulty).isEmpty, "\(topic.slug) \(difficulty)")
            }
        }
        #expect(pack.lessons.count >= 24)
    }

    @Test func contentOverTwoHundredWordsNamesFileAndLesson() throws {
        let error = try loadBroken { topics in
            editLesson(&topics) { $0["content"] = Array(repeating: "word", count: 201).joined(separator: " ") }
        }
        #expect(error.code == .invalidContent)
        #expect(error.file == "topics/apr.json")
        #expect(error.entry == "apr-easy-1")
        #expect(error.reason.contains("201 words"))
        #expect(error.description.contains("topics/apr.json") && error.description.contains("apr-easy-1"))
    }

    @Test func contentOfExactlyTwoHundredWordsIsAccepted() throws {
        let folder = try FixtureCurriculum.write { topics in
            editLesson(&topics) { $0["content"] = Array(repeating: "word", count: 200).joined(separator: " ") }
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try CurriculumLoader().load(from: folder).lesson(id: "apr-easy-1") != nil)
    }

    @Test(arguments: [2, 6]) func keyPointsOutsideThreeToFiveAreRejected(count: Int) throws {
        let error = try loadBroken { topics in
            editLesson(&topics, topic: "interest", index: 1) { lesson in
                lesson["key_points"] = (0..<count).map { "Point \($0)" }
            }
        }
        #expect(error.code == .invalidContent)
        #expect(error.file == "topics/interest.json")
        #expect(error.entry == "interest-medium-1")
        #expect(error.reason.contains("key_points"))
    }

    @Test(arguments: [3, 5]) func quizWithoutExactlyFourOptionsIsRejected(count: Int) throws {
        let error = try loadBroken { topics in
            editQuiz(&topics) { $0["options"] = (0..<count).map { "Option \($0)" } }
        }
        #expect(error.entry == "apr-easy-1")
        #expect(error.reason.contains("quiz.options"))
        #expect(error.reason.contains("\(count) entries"))
    }

    @Test(arguments: [-1, 4]) func correctIndexOutsideZeroToThreeIsRejected(index: Int) throws {
        let error = try loadBroken { topics in editQuiz(&topics) { $0["correct_index"] = index } }
        #expect(error.code == .invalidContent)
        #expect(error.entry == "apr-easy-1")
        #expect(error.reason.contains("correct_index"))
    }

    @Test func lessonIDUsedInTwoFilesIsRejectedNamingBoth() throws {
        let error = try loadBroken { topics in
            editLesson(&topics, topic: "rewards", index: 0) { $0["id"] = "apr-easy-1" }
        }
        #expect(error.code == .duplicateID)
        #expect(error.file == "topics/rewards.json")
        #expect(error.entry == "apr-easy-1")
        #expect(error.reason.contains("topics/apr.json"))
    }

    @Test func topicListedInThePackWithoutAFileIsRejected() throws {
        let error = try loadBroken { topics in topics["interest"] = nil }
        #expect(error.code == .unreadable)
        #expect(error.file == "topics/interest.json")
    }

    @Test func topicWithoutAHardLessonIsRejected() throws {
        let error = try loadBroken { topics in
            var body = topics["rewards"]!
            body["lessons"] = (body["lessons"] as! [[String: Any]]).filter { ($0["difficulty"] as? String) != "hard" }
            topics["rewards"] = body
        }
        #expect(error.code == .incompleteTopic)
        #expect(error.file == "topics/rewards.json")
        #expect(error.entry == "rewards")
        #expect(error.reason.contains("hard"))
    }

    @Test func unknownDifficultyIsRejected() throws {
        let error = try loadBroken { topics in editLesson(&topics) { $0["difficulty"] = "expert" } }
        #expect(error.entry == "apr-easy-1")
        #expect(error.reason.contains("difficulty"))
    }

    @Test func missingExplanationIsRejected() throws {
        let error = try loadBroken { topics in editQuiz(&topics) { $0["explanation"] = "  " } }
        #expect(error.entry == "apr-easy-1")
        #expect(error.reason.contains("quiz.explanation"))
    }

    @Test func repeatedOptionsAreRejectedBecauseTypedAnswersWouldBeAmbiguous() throws {
        let error = try loadBroken { topics in editQuiz(&topics) { $0["options"] = ["Yes", "No", "yes", "Maybe"] } }
        #expect(error.entry == "apr-easy-1")
        #expect(error.reason.contains("repeats"))
    }

    @Test func fileDeclaringAnotherTopicIsRejected() throws {
        let error = try loadBroken { topics in topics["apr"]!["topic"] = "interest" }
        #expect(error.file == "topics/apr.json")
        #expect(error.reason.contains("interest"))
    }

    @Test func invalidJSONNamesTheFile() throws {
        let folder = try FixtureCurriculum.write()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{ \"topic\": ".utf8).write(to: folder.appendingPathComponent("topics/rewards.json"))
        let error = try #require(throws: CurriculumError.self) { try CurriculumLoader().load(from: folder) }
        #expect(error.code == .malformed)
        #expect(error.file == "topics/rewards.json")
    }

    @Test(arguments: [["apr", "apr"], ["apr", "../secrets"], ["APR"], []])
    func packTopicListMustBeNonEmptyUniqueSafeSlugs(topics: [String]) throws {
        let folder = try FixtureCurriculum.write()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pack: [String: Any] = ["name": "fixture", "title": "Fixture", "version": 2, "topics": topics]
        try JSONSerialization.data(withJSONObject: pack).write(to: folder.appendingPathComponent("pack.json"))
        let error = try #require(throws: CurriculumError.self) { try CurriculumLoader().load(from: folder) }
        #expect(error.code == .malformed)
        #expect(error.file == "pack.json")
    }

    @Test func missingPackFileIsReported() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        let error = try #require(throws: CurriculumError.self) { try CurriculumLoader().load(from: folder) }
        #expect(error.code == .unreadable)
        #expect(error.file == "pack.json")
    }
}
