import Foundation

/// Reads a curriculum pack folder (`pack.json` plus `topics/<slug>.json`) and validates every rule a lesson
/// must meet. Any problem throws a `CurriculumError` naming the file, the entry and what is wrong, so a broken
/// pack stops the process at start instead of reaching a learner.
package struct CurriculumLoader: Sendable {
    /// The longest lesson body, in words.
    package static let maxContentWords = 200
    /// Allowed number of key points per lesson.
    package static let keyPointRange = 3...5
    /// Options every quiz has.
    package static let optionCount = 4

    package init() {}

    /// Loads and validates the pack in `folder`.
    package func load(from folder: URL) throws(CurriculumError) -> CurriculumPack {
        let manifest: PackFile = try decode(PackFile.self, folder.appendingPathComponent("pack.json"), "pack.json")
        guard let name = manifest.name?.trimmed, !name.isEmpty else {
            throw CurriculumError(code: .malformed, file: "pack.json", reason: "the pack needs a non-empty \"name\"")
        }
        guard let slugs = manifest.topics, !slugs.isEmpty else {
            throw CurriculumError(
                code: .malformed, file: "pack.json", reason: "\"topics\" must list at least one topic")
        }
        var seenSlugs = Set<String>()
        let slugCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        for slug in slugs where slug.isEmpty || !slug.allSatisfy(slugCharacters.contains) {
            throw CurriculumError(
                code: .malformed, file: "pack.json", entry: slug,
                reason: "topic slugs use only lowercase letters, digits and hyphens (they name files)")
        }
        for slug in slugs where !seenSlugs.insert(slug).inserted {
            throw CurriculumError(
                code: .malformed, file: "pack.json", entry: slug, reason: "topic slugs must be unique")
        }

        var topics: [Topic] = []
        var lessons: [Lesson] = []
        var fileOfLesson: [String: String] = [:]
        for slug in slugs {
            let fileName = "topics/\(slug).json"
            let url = folder.appendingPathComponent("topics").appendingPathComponent("\(slug).json")
            let file = try decode(TopicFile.self, url, fileName)
            let topic = try validateTopic(file, slug: slug, fileName: fileName)
            topics.append(topic)
            for raw in file.lessons ?? [] {
                let lesson = try validateLesson(raw, topic: slug, fileName: fileName)
                if let other = fileOfLesson[lesson.id] {
                    throw CurriculumError(
                        code: .duplicateID, file: fileName, entry: lesson.id,
                        reason: "lesson id already used in \(other); every lesson id must be unique in the pack")
                }
                fileOfLesson[lesson.id] = fileName
                lessons.append(lesson)
            }
            let present = Set(lessons.filter { $0.topic == slug }.map(\.difficulty))
            let missing = Difficulty.allCases.filter { !present.contains($0) }
            if !missing.isEmpty {
                throw CurriculumError(
                    code: .incompleteTopic, file: fileName, entry: slug,
                    reason: "no lesson at difficulty \(missing.map(\.rawValue).joined(separator: ", ")); "
                        + "each topic needs at least one easy, one medium and one hard lesson")
            }
        }
        return CurriculumPack(
            name: name, title: manifest.title?.trimmed ?? name, version: manifest.version?.text ?? "0",
            topics: topics, lessons: lessons)
    }

    // MARK: - Validation

    private func validateTopic(_ file: TopicFile, slug: String, fileName: String) throws(CurriculumError) -> Topic {
        if let declared = file.topic, declared != slug {
            throw CurriculumError(
                code: .incompleteTopic, file: fileName, entry: slug,
                reason: "the file declares topic \"\(declared)\"; it must match its file name and pack.json")
        }
        guard let title = file.title?.trimmed, !title.isEmpty else {
            throw CurriculumError(code: .malformed, file: fileName, entry: slug, reason: "the topic needs a \"title\"")
        }
        guard let lessons = file.lessons, !lessons.isEmpty else {
            throw CurriculumError(
                code: .incompleteTopic, file: fileName, entry: slug, reason: "\"lessons\" must hold at least one lesson"
            )
        }
        return Topic(slug: slug, title: title, summary: file.summary?.trimmed ?? "")
    }

    private func validateLesson(_ raw: LessonFile, topic: String, fileName: String) throws(CurriculumError) -> Lesson {
        guard let id = raw.id?.trimmed, !id.isEmpty else {
            throw CurriculumError(code: .malformed, file: fileName, reason: "a lesson has no \"id\"")
        }
        func fail(_ reason: String, _ code: CurriculumError.Code = .invalidContent) -> CurriculumError {
            CurriculumError(code: code, file: fileName, entry: id, reason: reason)
        }
        func required(_ value: String?, _ field: String) throws(CurriculumError) -> String {
            guard let value = value?.trimmed, !value.isEmpty else { throw fail("\"\(field)\" is missing or empty") }
            return value
        }
        guard let difficultyText = raw.difficulty, let difficulty = Difficulty(rawValue: difficultyText) else {
            throw fail("\"difficulty\" must be easy, medium or hard")
        }
        let title = try required(raw.title, "title")
        let content = try required(raw.content, "content")
        let words = content.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).count
        if words > Self.maxContentWords {
            throw fail("\"content\" has \(words) words; the limit is \(Self.maxContentWords)")
        }
        let keyPoints = (raw.keyPoints ?? []).map(\.trimmed)
        if !Self.keyPointRange.contains(keyPoints.count) {
            throw fail("\"key_points\" has \(keyPoints.count) entries; a lesson needs 3 to 5")
        }
        if keyPoints.contains(where: \.isEmpty) { throw fail("\"key_points\" contains an empty entry") }
        let scenario = try required(raw.scenario, "scenario")
        guard let quiz = raw.quiz else { throw fail("\"quiz\" is missing") }
        let question = try required(quiz.question, "quiz.question")
        let options = (quiz.options ?? []).map(\.trimmed)
        if options.count != Self.optionCount {
            throw fail("\"quiz.options\" has \(options.count) entries; a quiz needs exactly \(Self.optionCount)")
        }
        if options.contains(where: \.isEmpty) { throw fail("\"quiz.options\" contains an empty option") }
        if Set(options.map { $0.lowercased() }).count != options.count {
            throw fail("\"quiz.options\" repeats an option; options must differ so typed answers are unambiguous")
        }
        guard let correctIndex = quiz.correctIndex, (0..<Self.optionCount).contains(correctIndex) else {
            throw fail("\"quiz.correct_index\" must be 0, 1, 2 or 3")
        }
        let explanation = try required(quiz.explanation, "quiz.explanation")
        return Lesson(
            id: id, topic: topic, difficulty: difficulty, title: title, content: content, keyPoints: keyPoints,
            scenario: scenario,
            quiz: Quiz(question: question, options: options, correctIndex: correctIndex, explanation: explanation))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ url: URL, _ fileName: String) throws(CurriculumError) -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CurriculumError(code: .unreadable, file: fileName, reason: "the file is missing or unreadable")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw CurriculumError(
                code: .malformed, file: fileName, reason: "not valid JSON (\(context.debugDescription))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw CurriculumError(
                code: .malformed, file: fileName,
                reason: "wrong type at \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw CurriculumError(
                code: .malformed, file: fileName, reason: "not a curriculum file of the expected shape")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

// The files are decoded leniently (every field optional) so that validation can say which field is wrong.
private struct PackFile: Decodable {
    var name: String?
    var title: String?
    var version: LooseString?
    var topics: [String]?
}

private struct TopicFile: Decodable {
    var topic: String?
    var title: String?
    var summary: String?
    var lessons: [LessonFile]?
}

private struct LessonFile: Decodable {
    var id: String?
    var difficulty: String?
    var title: String?
    var content: String?
    var keyPoints: [String]?
    var scenario: String?
    var quiz: QuizFile?

    enum CodingKeys: String, CodingKey {
        case id, difficulty, title, content, scenario, quiz
        case keyPoints = "key_points"
    }
}

private struct QuizFile: Decodable {
    var question: String?
    var options: [String]?
    var correctIndex: Int?
    var explanation: String?

    enum CodingKeys: String, CodingKey {
        case question, options, explanation
        case correctIndex = "correct_index"
    }
}

/// A version written as `"1.0"` or `1`.
private struct LooseString: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let number = try? container.decode(Int.self) {
            text = String(number)
        } else {
            text = String(try container.decode(Double.self))
        }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
