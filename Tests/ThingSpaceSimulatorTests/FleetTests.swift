import Testing
@testable import ThingSpaceSimulator

@Suite("Seeded fleet")
struct FleetTests {
    @Test func sameSeedGivesIdenticalFleet() {
        let a = FleetGenerator.generate(seed: 42, count: 5000, licenseTime: 0, unlicensedPermille: 300)
        let b = FleetGenerator.generate(seed: 42, count: 5000, licenseTime: 0, unlicensedPermille: 300)
        #expect(a.devices == b.devices)
    }

    @Test func differentSeedGivesDifferentFleet() {
        let a = FleetGenerator.generate(seed: 1, count: 1000, licenseTime: 0, unlicensedPermille: 300)
        let b = FleetGenerator.generate(seed: 2, count: 1000, licenseTime: 0, unlicensedPermille: 300)
        #expect(a.devices != b.devices)
    }

    @Test func imeisAreLuhnValidUniqueSortedAndFifteenDigits() {
        let fleet = FleetGenerator.generate(seed: 7, count: 20_000, licenseTime: 0, unlicensedPermille: 300)
        #expect(fleet.count == 20_000)
        #expect(fleet.devices.allSatisfy { Identifiers.isLuhnValid($0.imei) })
        #expect(fleet.devices.allSatisfy { Identifiers.imeiString($0.imei).count == 15 && $0.imei < 1_000_000_000_000_000 })
        #expect(zip(fleet.devices, fleet.devices.dropFirst()).allSatisfy { $0.imei < $1.imei })
    }

    @Test func luhnCheckDigitMatchesKnownImei() {
        // 49015420323751-8 is the textbook IMEI example.
        #expect(Identifiers.luhnCheckDigit(49_015_420_323_751) == 8)
        #expect(Identifiers.isLuhnValid(490_154_203_237_518))
        #expect(!Identifiers.isLuhnValid(490_154_203_237_517))
    }

    @Test func fleetSpansModelsVersionsEligibilityAndLicences() {
        let fleet = FleetGenerator.generate(seed: 3, count: 10_000, licenseTime: 0, unlicensedPermille: 300)
        #expect(Set(fleet.devices.map(\.modelIndex)).count == Catalogue.models.count)
        #expect(Set(fleet.devices.map { $0.firmware }).count > Catalogue.models.count)
        let ineligible = fleet.devices.filter { !$0.fotaEligible }.count
        let unlicensed = fleet.devices.filter { !$0.licensed }.count
        #expect((300...700).contains(ineligible))
        #expect((2700...3300).contains(unlicensed))
    }

    @Test func firmwareCatalogueMatchesFleetVersions() {
        let fleet = FleetGenerator.generate(seed: 3, count: 10_000, licenseTime: 0, unlicensedPermille: 300)
        let upgradable = fleet.devices.filter { device in
            Catalogue.firmware.contains { $0.modelIndex == Int(device.modelIndex) && $0.fromVersion == device.firmware }
        }
        let newest = fleet.devices.filter { Int($0.versionIndex) == $0.model.versions.count - 1 }
        #expect(upgradable.count + newest.count == fleet.count)
    }

    // How fast fleets generate is measured by `fota-bench simulator` ("started in … ms"), not here.
    @Test func millionDeviceFleetIsCompleteAndIndexed() {
        let fleet: Fleet? = FleetGenerator.generate(seed: 9, count: 1_000_000, licenseTime: 0, unlicensedPermille: 300)
        #expect(fleet?.count == 1_000_000)
        if let fleet, let middle = fleet.devices.dropFirst(500_000).first {
            #expect(fleet.index(of: middle.imei) == 500_000)
        }
    }

    @Test func fleetLookupFindsOnlyMembers() {
        let fleet = FleetGenerator.generate(seed: 5, count: 100, licenseTime: 0, unlicensedPermille: 300)
        let first = fleet.devices[0].imei
        #expect(fleet.index(of: first) == 0)
        #expect(fleet.index(of: first + 1) == nil || fleet.devices[1].imei == first + 1)
        #expect(fleet.index(of: 0) == nil)
        #expect(fleet.firstIndex(after: fleet.devices[99].imei) == 100)
    }

    @Test func datesRoundTrip() {
        let seconds = SimTime.parseDate("2026-03-04")
        #expect(seconds == 1_772_582_400)
        #expect(SimTime.rfc3339(1_772_582_400 + 3661) == "2026-03-04T01:01:01Z")
        let parsed = SimTime.parseTimestamp("2026-03-04T01:01:01Z")
        #expect(parsed == Int64(1_772_586_061))
        #expect(SimTime.parseTimestamp("2026-03-04T01:01:01.250Z") == Int64(1_772_586_061))
        #expect(SimTime.parseDate("2026-02-29") == nil)
        #expect(SimTime.parseDate("2028-02-29") != nil)
    }
}
