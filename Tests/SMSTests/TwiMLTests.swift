import SMS
import Testing

@Suite struct TwiMLTests {
    @Test func emptyResponseAcknowledgesWithoutReply() {
        #expect(TwiML.empty.xml == #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)
        #expect(TwiML.messages([]) == TwiML.empty)
    }

    @Test func messageIsWrappedAndEscaped() {
        let expected =
            #"<?xml version="1.0" encoding="UTF-8"?>"#
            + "<Response><Message>&lt;script&gt;&amp;&quot;&apos;</Message></Response>"
        #expect(TwiML.message(#"<script>&"'"#).xml == expected)
    }

    @Test func severalMessagesKeepTheirOrder() {
        let xml = TwiML.messages(["1/2", "2/2"]).xml
        #expect(xml.hasSuffix("<Response><Message>1/2</Message><Message>2/2</Message></Response>"))
    }

    @Test func charactersXMLForbidsAreRemovedAndOthersKept() {
        #expect(TwiML.escape("a\u{0}b\u{1}c\u{8}d\u{B}e\u{C}f\u{1F}g\u{FFFE}h\u{FFFF}i") == "abcdefghi")
        #expect(TwiML.escape("tab\tline\ncr\r") == "tab\tline\ncr\r")
        #expect(TwiML.escape("café 😀 €") == "café 😀 €")
        #expect(TwiML.escape("&amp;") == "&amp;amp;")
    }
}
