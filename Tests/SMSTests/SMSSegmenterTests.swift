import SMS
import Testing

@Suite struct SMSSegmenterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let encoding: SMSEncoding
        let units: Int
        let segments: Int
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "empty", text: "", encoding: .gsm7, units: 0, segments: 0),
        Case(name: "1 GSM", text: "a", encoding: .gsm7, units: 1, segments: 1),
        Case(name: "160 GSM", text: String(repeating: "a", count: 160), encoding: .gsm7, units: 160, segments: 1),
        Case(name: "161 GSM", text: String(repeating: "a", count: 161), encoding: .gsm7, units: 161, segments: 2),
        Case(name: "306 GSM", text: String(repeating: "a", count: 306), encoding: .gsm7, units: 306, segments: 2),
        Case(name: "307 GSM", text: String(repeating: "a", count: 307), encoding: .gsm7, units: 307, segments: 3),
        Case(name: "459 GSM", text: String(repeating: "a", count: 459), encoding: .gsm7, units: 459, segments: 3),
        Case(name: "70 UCS-2", text: String(repeating: "ж", count: 70), encoding: .ucs2, units: 70, segments: 1),
        Case(name: "71 UCS-2", text: String(repeating: "ж", count: 71), encoding: .ucs2, units: 71, segments: 2),
        Case(name: "134 UCS-2", text: String(repeating: "ж", count: 134), encoding: .ucs2, units: 134, segments: 2),
        Case(name: "135 UCS-2", text: String(repeating: "ж", count: 135), encoding: .ucs2, units: 135, segments: 3),
        Case(
            name: "80 extension chars", text: String(repeating: "€", count: 80), encoding: .gsm7, units: 160,
            segments: 1),
        Case(
            name: "81 extension chars", text: String(repeating: "{", count: 81), encoding: .gsm7, units: 162,
            segments: 2),
        Case(name: "extension table", text: "{}[]~\\|^€", encoding: .gsm7, units: 18, segments: 1),
        Case(
            name: "escape pair at a part edge moves whole",
            text: String(repeating: "a", count: 152) + "€"
                + String(repeating: "a", count: 10), encoding: .gsm7, units: 164, segments: 2),
        Case(
            name: "escape pair kept whole costs a third part",
            text: String(repeating: "a", count: 152) + "€"
                + String(repeating: "a", count: 152), encoding: .gsm7, units: 306, segments: 3),
        Case(
            name: "GSM accents and Greek", text: "àéèùìòÇØøÅåÆæßÉÄÖÑÜäöñü¡¿§£¥ΔΦΓΛΩΠΨΣΘΞ@$_", encoding: .gsm7,
            units: 41, segments: 1),
        Case(name: "emoji forces UCS-2, 2 units", text: "Hi 😀", encoding: .ucs2, units: 5, segments: 1),
        Case(
            name: "35 emoji fit one part", text: String(repeating: "😀", count: 35), encoding: .ucs2, units: 70,
            segments: 1),
        Case(
            name: "69 units with an emoji fit one part", text: String(repeating: "a", count: 66) + "😀" + "a",
            encoding: .ucs2, units: 69, segments: 1),
        Case(
            name: "surrogate pair kept whole costs a third part",
            text: String(repeating: "a", count: 66) + "😀"
                + String(repeating: "a", count: 66), encoding: .ucs2, units: 134, segments: 3),
        Case(name: "curly quote forces UCS-2", text: "It\u{2019}s", encoding: .ucs2, units: 4, segments: 1),
        Case(name: "ç is not GSM-7", text: "ça", encoding: .ucs2, units: 2, segments: 1),
    ])
    func segmentTable(testCase: Case) {
        let count = SMSSegmenter.count(testCase.text)
        #expect(count.encoding == testCase.encoding)
        #expect(count.units == testCase.units)
        #expect(count.segments == testCase.segments)
    }

    @Test func extensionCharactersCountTwoSeptets() {
        for character in "{}[]~\\|^€\u{0C}".unicodeScalars {
            #expect(SMSEncoding.septets(for: character) == 2, "\(character)")
        }
        #expect(SMSEncoding.septets(for: "a") == 1)
        #expect(SMSEncoding.septets(for: "`") == nil)
    }
}
