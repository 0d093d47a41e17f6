import Foundation
import Learning
import Postgres
import Testing

extension DatabaseBacked {
    @Suite struct CurriculumSyncTests {
        @Test func syncWritesEveryLessonOnceAndUpdatesInPlace() async throws {
            try await withLearningDatabase { db in
                #expect(try await db.count("SELECT count(*) FROM lessons") == db.curriculum.lessons.count)
                let before = try await db.pool.query("SELECT id FROM lessons WHERE curriculum_key = 'apr-easy-1'")
                let id = try before[0].decode(UUID.self, "id")

                let folder = try FixtureCurriculum.write { topics in
                    var body = topics["apr"]!
                    var lessons = body["lessons"] as! [[String: Any]]
                    lessons[0]["title"] = "Renamed"
                    body["lessons"] = lessons
                    topics["apr"] = body
                }
                defer { try? FileManager.default.removeItem(at: folder) }
                try await CurriculumSync(pool: db.pool).sync(try CurriculumLoader().load(from: folder))

                #expect(try await db.count("SELECT count(*) FROM lessons") == db.curriculum.lessons.count)
                let after = try await db.pool.query(
                    "SELECT id, title, quiz_options FROM lessons WHERE curriculum_key = 'apr-easy-1'")
                #expect(try after[0].decode(UUID.self, "id") == id)
                #expect(try after[0].decode(String.self, "title") == "Renamed")
                #expect(try after[0].decodeJSON([String].self, "quiz_options").count == 4)
            }
        }

        @Test func attemptForALessonNeverSyncedIsRefused() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let error = try await #require(throws: LearningError.self) {
                    try await db.store.createAttempt(
                        learnerID: learner, lessonID: "nope-easy-1", channel: "api", at: db.clock.now)
                }
                #expect(error.code == .unknownLesson)
            }
        }
    }
}
