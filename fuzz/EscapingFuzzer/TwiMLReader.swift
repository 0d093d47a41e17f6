import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a TwiML document with `XMLParser`: its root element, the text of each `<Message>`, or the parse error.
final class TwiMLReader: NSObject, XMLParserDelegate {
    private(set) var root: String?
    private(set) var messages: [String] = []
    private(set) var error: String?
    private var path: [String] = []

    init(_ xml: String) {
        super.init()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = self
        if !parser.parse() {
            error = parser.parserError.map { "\($0)" } ?? "parse failed"
        }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if path.isEmpty {
            root = root == nil ? elementName : "more than one root"
        }
        if elementName == "Message" {
            messages.append("")
            if path != ["Response"] { error = "a Message inside \(path)" }
        } else if !path.isEmpty {
            error = "an unexpected element \(elementName)"
        }
        path.append(elementName)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?)
    {
        path.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if path.last == "Message" { messages[messages.count - 1] += string }
    }
}
