/// A device model the seeded fleet is drawn from, with its firmware versions oldest first.
struct DeviceModel: Sendable {
    let make: String
    let model: String
    let clientType: String
    /// First 8 IMEI digits; consecutive TACs are used once a million serials are taken.
    let baseTAC: UInt64
    let versions: [String]
    /// Relative share of the fleet.
    let weight: Int
}

/// One firmware image as listed by A1.
struct FirmwareImage: Sendable {
    let firmwareName: String
    let modelIndex: Int
    let fromVersion: String
    let toVersion: String
    let launchDate: String
    let releaseNote: String
}

/// The fixed catalogue: several makes, models and version chains, and one image per step of each chain,
/// so every device that is not on the newest version has exactly one applicable image.
enum Catalogue {
    static let models: [DeviceModel] = [
        // Base TACs sit at least 1,000 apart so the models' IMEI ranges never overlap. The RV55's TAC
        // starts with 0 (as PTCRB-allocated TACs do): its IMEIs have a leading zero, which a
        // client reading `lastSeenDeviceId` as a JSON integer loses.
        DeviceModel(make: "Franklin Wireless", model: "T10", clientType: "OMADM", baseTAC: 35_120_000,
                    versions: ["1.0.4", "1.1.0", "2.0.0"], weight: 15),
        DeviceModel(make: "Quectel", model: "BG96", clientType: "LWM2M", baseTAC: 35_260_000,
                    versions: ["BG96MAR02A07M1G", "BG96MAR02A08M1G", "BG96MAR04A02M1G"], weight: 25),
        DeviceModel(make: "Sierra Wireless", model: "RV55", clientType: "LWM2M", baseTAC: 1_390_000,
                    versions: ["4.9.3", "4.10.1", "4.11.0", "4.12.2"], weight: 20),
        DeviceModel(make: "Telit", model: "LE910C4-NF", clientType: "OMADM", baseTAC: 35_480_000,
                    versions: ["25.20.676", "25.21.660", "25.30.224"], weight: 25),
        DeviceModel(make: "u-blox", model: "SARA-R410M-02B", clientType: "LWM2M", baseTAC: 35_570_000,
                    versions: ["L0.0.00.00.05.08", "L0.0.00.00.05.12"], weight: 15),
    ]

    static let firmware: [FirmwareImage] = {
        var images: [FirmwareImage] = []
        for (modelIndex, model) in models.enumerated() {
            for step in 1..<model.versions.count {
                let from = model.versions[step - 1]
                let to = model.versions[step]
                images.append(FirmwareImage(
                    firmwareName: "FOTA_\(model.model)_\(from)_to_\(to)",
                    modelIndex: modelIndex,
                    fromVersion: from,
                    toVersion: to,
                    launchDate: "2025-0\(step + 1)-15T16:00:00.000Z",
                    releaseNote: "\(model.make) \(model.model) \(to): security and stability fixes"
                ))
            }
        }
        return images
    }()

    static func firmware(named name: String) -> FirmwareImage? {
        firmware.first { $0.firmwareName == name }
    }

    static let clientTypes: Set<String> = ["OMADM", "LWM2M"]
}
