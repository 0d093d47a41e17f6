import Foundation
import FuzzSupport
import Learning
import SMS
import Slack

/// Escaping of untrusted text on its way out: Slack mrkdwn (`SlackReplyRenderer.escape` and every text of a
/// rendered reply) and TwiML (`TwiML.escape`, `TwiML.message`). Besides not crashing:
/// - escaped text holds no raw `<` or `>`, and `&` only as the start of one of the escaper's entities;
/// - mrkdwn escaping loses nothing: unescaping gives the input back;
/// - a TwiML reply parses as XML (FoundationXML's `XMLParser`) into one `<Response>` with exactly one `<Message>`
///   whose text is the input, less the characters XML 1.0 cannot carry and with line ends as XML reads them.
@main enum EscapingFuzzer {
    static let mrkdwnEntities = ["&amp;", "&lt;", "&gt;"]
    static let xmlEntities = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]

    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static func check(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        checkMrkdwn(text)
        checkRenderedReplies(text)
        checkTwiML(text)
    }

    // MARK: - Slack

    static func checkMrkdwn(_ text: String) {
        let escaped = SlackReplyRenderer.escape(text)
        requireEntitySafe(escaped, entities: mrkdwnEntities, "SlackReplyRenderer.escape(\(FuzzInvariant.quoted(text)))")
        FuzzInvariant.require(
            Array(unescape(escaped, entities: mrkdwnEntities).utf8) == Array(text.utf8),
            "SlackReplyRenderer.escape(\(FuzzInvariant.quoted(text))) does not unescape to its input")
    }

    /// Every mrkdwn text of the messages the renderer builds from learner- or lesson-controlled text, and the
    /// message's top-level `text` (Slack reads it as mrkdwn too, and notifies from it).
    static func checkRenderedReplies(_ text: String) {
        let lesson = Lesson(
            id: "fuzz", topic: "fuzz", difficulty: .easy, title: text, content: text, keyPoints: [text],
            scenario: text,
            quiz: Quiz(question: text, options: [text, text, text, text], correctIndex: 0, explanation: text))
        let card = LessonCard(attemptID: UUID(), lesson: lesson, topicTitle: text)
        let verdict = QuizVerdict(
            lessonID: "fuzz", correct: false, selectedIndex: 1, correctIndex: 0, correctOption: text,
            explanation: text, feedback: text)
        // Between them these reach every block builder and each of the four kinds of top-level text.
        let messages = [
            SlackReplyRenderer.message(for: AgentReply(text: text, quickReplies: [text])),
            SlackReplyRenderer.message(for: AgentReply(text: text, verdict: verdict)),
            SlackReplyRenderer.message(for: AgentReply(text: text, lesson: card, verdict: verdict)),
            SlackReplyRenderer.answeredLesson(card, verdict: verdict),
        ]
        for message in messages {
            let where_ = "a reply rendered from \(FuzzInvariant.quoted(text.prefix(80)))"
            requireEntitySafe(message.text, entities: mrkdwnEntities, "the text of \(where_)")
            for block in message.blocks ?? [] {
                for mrkdwn in mrkdwnTexts(in: block) {
                    requireEntitySafe(mrkdwn, entities: mrkdwnEntities, "a block of \(where_)")
                }
            }
        }
    }

    /// The `text` of every `{"type": "mrkdwn"}` object in a Block Kit value.
    static func mrkdwnTexts(in value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            let own = members["type"] == "mrkdwn" ? [members["text"]?.stringValue].compactMap { $0 } : []
            return own + members.values.flatMap(mrkdwnTexts(in:))
        case .array(let elements):
            return elements.flatMap(mrkdwnTexts(in:))
        default:
            return []
        }
    }

    // MARK: - TwiML

    static func checkTwiML(_ text: String) {
        requireEntitySafe(TwiML.escape(text), entities: xmlEntities, "TwiML.escape(\(FuzzInvariant.quoted(text)))")
        let xml = TwiML.message(text).xml
        let reader = TwiMLReader(xml)
        FuzzInvariant.require(
            reader.error == nil, "TwiML for \(FuzzInvariant.quoted(text)) is not XML: \(reader.error ?? "")")
        FuzzInvariant.require(reader.root == "Response", "TwiML root is \(reader.root ?? "nothing")")
        FuzzInvariant.require(reader.messages.count == 1, "TwiML has \(reader.messages.count) Message elements")
        let expected = xmlReadable(text)
        FuzzInvariant.require(
            reader.messages.first.map { Array($0.utf8) == Array(expected.utf8) } ?? false,
            "TwiML Message reads \(FuzzInvariant.quoted(reader.messages.first ?? "")), "
                + "expected \(FuzzInvariant.quoted(expected))")
        FuzzInvariant.require(TwiMLReader(TwiML.messages([text, text]).xml).messages.count == 2, "two bodies, not two Messages")
    }

    /// `text` as an XML parser reports it once escaped: without the characters XML 1.0 does not allow, and then
    /// with `\r\n` and lone `\r` read as `\n` (XML 1.0 §2.11). The order matters: `\r\0\n` is one line end.
    static func xmlReadable(_ text: String) -> String {
        let allowed: [Unicode.Scalar] = text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: true
            case 0x00...0x1F, 0xFFFE, 0xFFFF: false
            default: true
            }
        }
        var out = String.UnicodeScalarView()
        for (index, scalar) in allowed.enumerated() {
            if scalar == "\r" {
                out.append("\n")
            } else if scalar != "\n" || index == 0 || allowed[index - 1] != "\r" {
                out.append(scalar)
            }
        }
        return String(out)
    }

    // MARK: - Shared checks

    /// No raw `<` or `>` in `text`, and every `&` starts one of `entities`. (A plain loop over the UTF-8 buffer:
    /// this runs on every text of every rendered message, in an unoptimised build, and dominated the run time as a
    /// generic `enumerated()` loop.)
    static func requireEntitySafe(_ text: String, entities: [String], _ what: @autoclosure () -> String) {
        var text = text
        text.withUTF8 { bytes in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                FuzzInvariant.require(
                    byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">"),
                    "raw \(UnicodeScalar(byte)) at byte \(index) of \(what())")
                if byte == UInt8(ascii: "&") {
                    let rest = UnsafeBufferPointer(rebasing: bytes[index...])
                    FuzzInvariant.require(
                        entities.contains { rest.starts(with: $0.utf8) }, "& at byte \(index) of \(what()) starts no entity")
                }
            }
        }
    }

    /// `text` with `entities` read back as the characters they stand for.
    static func unescape(_ text: String, entities: [String]) -> String {
        let characters: [String: UInt8] = [
            "&amp;": UInt8(ascii: "&"), "&lt;": UInt8(ascii: "<"), "&gt;": UInt8(ascii: ">"),
            "&quot;": UInt8(ascii: "\""), "&apos;": UInt8(ascii: "'"),
        ]
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "&"),
                let entity = entities.first(where: { bytes[index...].starts(with: $0.utf8) }),
                let character = characters[entity]
            {
                out.append(character)
                index += entity.utf8.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The input callback, under the name libFuzzer's own `main` links against (see `FuzzDriver`).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    EscapingFuzzer.check(FuzzDriver.bytes(data, size))
    return 0
}
