/// A firmware image available to the account (`GET /firmware/{account}`).
public struct Firmware: Sendable, Equatable, Codable {
    /// Must be passed verbatim when scheduling.
    public var firmwareName: String
    public var participantName: String?
    public var launchDate: String?
    public var releaseNote: String?
    public var model: String?
    public var make: String?
    /// Version a device must currently run.
    public var fromVersion: String?
    /// Version after the upgrade.
    public var toVersion: String?

    public init(firmwareName: String, participantName: String? = nil, launchDate: String? = nil, releaseNote: String? = nil,
                model: String? = nil, make: String? = nil, fromVersion: String? = nil, toVersion: String? = nil) {
        self.firmwareName = firmwareName
        self.participantName = participantName
        self.launchDate = launchDate
        self.releaseNote = releaseNote
        self.model = model
        self.make = make
        self.fromVersion = fromVersion
        self.toVersion = toVersion
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        firmwareName = c.lenientString("firmwareName") ?? ""
        participantName = c.lenientString("participantName")
        launchDate = c.lenientString("launchDate")
        releaseNote = c.lenientString("releaseNote")
        model = c.lenientString("model")
        make = c.lenientString("make")
        fromVersion = c.lenientString("fromVersion")
        toVersion = c.lenientString("toVersion")
    }
}
