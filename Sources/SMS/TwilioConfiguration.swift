/// How to reach Twilio's Messages API and whom to send as. `description` leaves the auth token out.
package struct TwilioConfiguration: Sendable, CustomStringConvertible {
    /// Who a message is sent from: Twilio takes `From` or `MessagingServiceSid`.
    package enum Sender: Sendable, Equatable {
        /// `From`: one of the account's numbers.
        case number(PhoneNumber)
        /// `MessagingServiceSid` (`MG…`): Twilio picks a number from the service's pool.
        case messagingService(sid: String)
    }

    package static let defaultBaseURL = "https://api.twilio.com"

    /// `TWILIO_ACCOUNT_SID` (`AC…`); names the account in the path and is the basic-auth user.
    package var accountSID: String
    /// `TWILIO_AUTH_TOKEN`; sent only as the basic-auth password.
    package var authToken: String
    /// `TWILIO_FROM_NUMBER` or `TWILIO_MESSAGING_SERVICE_SID`.
    package var sender: Sender
    /// `TWILIO_API_BASE_URL`, without `/2010-04-01`.
    package var baseURL: String

    package init(accountSID: String, authToken: String, sender: Sender, baseURL: String = defaultBaseURL) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.sender = sender
        self.baseURL = baseURL
    }

    /// `{baseURL}/2010-04-01/Accounts/{accountSID}/Messages.json`.
    package var messagesURL: String {
        var base = self.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/2010-04-01/Accounts/\(self.accountSID)/Messages.json"
    }

    package var description: String {
        let sender: String
        switch self.sender {
        case .number(let number): sender = "from: \(number)"
        case .messagingService(let sid): sender = "messagingServiceSID: \(sid)"
        }
        return "TwilioConfiguration(accountSID: \(self.accountSID), \(sender), baseURL: \(self.baseURL), "
            + "authToken: <redacted>)"
    }
}
