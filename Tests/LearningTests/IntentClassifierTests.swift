import Foundation
import Learning
import Testing

@Suite struct IntentClassifierTests {
    private let options = ["apr-easy-1 option a", "apr-easy-1 option b", "apr-easy-1 option c", "apr-easy-1 option d"]

    @Test(arguments: [
        ("hello", Intent.greeting), ("Hi there!", .greeting), ("good morning", .greeting),
        ("teach me about APR", .learnTopic("apr")), ("what's an interest rate?", .learnTopic("apr")),
        ("annual percentage rate", .learnTopic("apr")), ("how does interest work", .learnTopic("interest")),
        ("tell me about cash back", .learnTopic("rewards")), ("next lesson", .nextLesson), ("NEXT", .nextLesson),
        ("quiz me", .nextLesson), ("what should I learn next?", .whatNext), ("progress", .progress),
        ("how am I doing", .progress), ("what did I get wrong?", .mistakes), ("show my mistakes", .mistakes),
        ("help", .help), ("what can you do", .help), ("what's the weather in Paris", .offTopic),
        ("practice scenario for my restaurant", .practice(topic: nil, industry: "restaurant")),
        ("rewards example for a retail shop", .practice(topic: "rewards", industry: "retail")),
        ("B", .answer("B")),
    ])
    func messagesWithoutAnOpenQuizAreClassified(text: String, intent: Intent) throws {
        let classifier = IntentClassifier(curriculum: try FixtureCurriculum.pack())
        #expect(classifier.classify(text, openQuizOptions: nil) == intent)
    }

    @Test(arguments: ["b", " B ", "2", "(c)", "apr-easy-1 option d"])
    func answersAreRecognisedWhileAQuizIsOpen(text: String) throws {
        let classifier = IntentClassifier(curriculum: try FixtureCurriculum.pack())
        #expect(classifier.classify(text, openQuizOptions: options) == .answer(text))
    }

    @Test func otherRequestsStillWorkWhileAQuizIsOpen() throws {
        let classifier = IntentClassifier(curriculum: try FixtureCurriculum.pack())
        #expect(classifier.classify("next lesson", openQuizOptions: options) == .nextLesson)
        #expect(classifier.classify("learn rewards", openQuizOptions: options) == .learnTopic("rewards"))
        #expect(classifier.classify("e", openQuizOptions: options) == .answer("e"))
        #expect(classifier.classify("what is a grace period", openQuizOptions: options) == .learnTopic("interest"))
    }
}
