import ServiceLifecycle

/// A service that describes itself by its type's name and nothing more.
///
/// swift-service-lifecycle logs every service it starts and stops as `"\(service)"`. By default Swift describes a
/// struct with all its stored properties, down to the API clients and the secrets they hold, so each service the
/// gateway runs is one of these.
package protocol NamedService: Service, CustomStringConvertible {}

extension NamedService {
    package var description: String { String(describing: Self.self) }
}

extension InboxProcessor: NamedService {}
extension SlackDispatcher: NamedService {}
extension SMSDispatcher: NamedService {}
extension LessonScheduler: NamedService {}
extension LessonDeliveryWorker: NamedService {}
extension HTTPClientService: NamedService {}
