/// The v1 callback envelope (docs/thingspace-api.md B2): one shape for every message, irrelevant sections left empty.
struct CallbackEnvelope: Codable, Sendable {
    struct Scheduled: Codable, Sendable {
        var firmwareName: String?
        var upgradeId: String?
        var startDate: String?
    }

    struct Progress: Codable, Sendable {
        var upgradeId: String?
        var status: String?
        var deviceList: [UpgradeDeviceJSON]?
    }

    var accountName: String
    var participantName: String
    var type: String
    var username: String
    var password: String
    var firmwareList: [FirmwareJSON]
    var upgradeScheduled: Scheduled
    var upgradeProgress: Progress
}

/// A callback message with where it goes and what became of it; `/_sim/callbacks` lists these.
struct CallbackMessage: Codable, Sendable {
    var url: String
    /// Simulated time of the event.
    var sentAt: String
    /// HTTP status the listener answered; 0 when it could not be reached; nil while not yet attempted.
    var deliveryStatus: Int?
    var envelope: CallbackEnvelope
}

/// Callback registration A16–A18 and the events they produce.
extension World {
    static let callbackService = "Fota"

    /// A16: nil when nothing is registered (the route answers with an empty body then).
    mutating func registeredCallbacks(account: String) throws(APIError) -> [RegisteredCallbackJSON]? {
        tick()
        try requireAccount(account)
        return callbacks[account].map { [$0] }
    }

    /// A17: one FOTA listener per account; registering again replaces it.
    mutating func registerCallback(account: String, _ body: CallbackRegistrationJSON) throws(APIError) -> CallbackRegisteredJSON {
        tick()
        try requireAccount(account)
        guard body.name == Self.callbackService else { throw APIError.invalid("Invalid service name") }
        guard let url = body.url, url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8 else {
            throw APIError.invalid("Invalid url")
        }
        callbacks[account] = RegisteredCallbackJSON(
            aname: account, name: Self.callbackService, url: url, username: body.username, password: body.password
        )
        return CallbackRegisteredJSON(accountName: account, serviceName: Self.callbackService)
    }

    /// A18: deregistering an absent listener still succeeds (a choice, docs/thingspace-api.md A18).
    mutating func deregisterCallback(account: String, service: String) throws(APIError) -> SuccessJSON {
        tick()
        try requireAccount(account)
        guard service == Self.callbackService else { throw APIError.invalid("Invalid service name") }
        callbacks[account] = nil
        return SuccessJSON(success: true)
    }

    /// Queues the message for a campaign's status change when a listener is registered.
    mutating func announce(_ upgrade: UpgradeRecord, at time: Int64) {
        guard let listener = callbacks[upgrade.accountName] else { return }
        let scheduled = upgrade.status == .queued
        var envelope = CallbackEnvelope(
            accountName: upgrade.accountName, participantName: "sim-participant",
            type: scheduled ? "upgradeScheduled" : "upgradeProgress",
            username: listener.username ?? "", password: listener.password ?? "", firmwareList: [],
            upgradeScheduled: .init(), upgradeProgress: .init()
        )
        if scheduled {
            envelope.upgradeScheduled = .init(firmwareName: upgrade.firmware.firmwareName, upgradeId: upgrade.id, startDate: upgrade.startDate)
        } else {
            envelope.upgradeProgress = .init(upgradeId: upgrade.id, status: upgrade.status.rawValue, deviceList: Self.json(upgrade).deviceList)
        }
        let message = CallbackMessage(url: listener.url, sentAt: SimTime.rfc3339(time), deliveryStatus: nil, envelope: envelope)
        outbox.append(message)
    }
}
