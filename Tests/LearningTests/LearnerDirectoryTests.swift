import Foundation
import Learning
import Postgres
import Testing

extension DatabaseBacked {
    @Suite struct LearnerDirectoryTests {
        @Test func sameIdentityResolvesToTheSameLearner() async throws {
            try await withLearningDatabase { db in
                let first = try await db.store.resolve(channel: .slack, externalID: "U123")
                let again = try await db.store.resolve(channel: .slack, externalID: "U123")
                let sms = try await db.store.resolve(channel: .sms, externalID: "U123")
                #expect(first == again)
                #expect(first != sms)
                #expect(try await db.store.find(channel: .slack, externalID: "U123") == first)
                #expect(try await db.store.find(channel: .api, externalID: "U123") == nil)
            }
        }

        @Test func concurrentFirstMessagesCreateOneLearner() async throws {
            try await withLearningDatabase { db in
                let store = db.store
                let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await store.resolve(channel: .sms, externalID: "+15551230000") }
                    }
                    return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
                }
                #expect(ids.count == 1)
                #expect(try await db.count("SELECT count(*) FROM learner_identities") == 1)
                #expect(try await db.count("SELECT count(*) FROM learners") == 1)
            }
        }
    }
}
