import Foundation
import LuaHost
import ThingSpace

/// The page walks behind `for d in fota.devices()` and `fota.upgrades(status)` loops.
extension FotaCalls {
    // MARK: - Page walks behind fota.devices and fota.upgrades

    enum Listing { case devices, upgrades }

    /// `devices([opts])` / `upgrades(status, [opts])` from the prelude: checks the arguments now
    /// (so a bad one fails at the call, not at the first loop step) and returns a handle for
    /// `nextPage`. The walk's state, with its guard against cursors that do not move, stays here.
    func openWalk(_ listing: Listing, _ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = listing == .devices ? "devices" : "upgrades"
        var status: String?
        if listing == .upgrades { status = try Self.reportStatus(arguments, 1) }
        let position = listing == .devices ? 1 : 2
        let options = try arguments.options(position, allowed: listing == .devices ? ["account", "clientType"] : ["account"])
        let clientType = try Self.clientType(options, position: position)
        let account = try arguments.account(options, position: position, runtime: runtime, callName: call)
        _ = try runtime.requireClient(call)
        let walk = OpenWalk(
            listing: listing, account: account, status: status, clientType: clientType,
            walk: PageWalk(listing: listing == .devices ? "device list" : "upgrade report"))
        results.push(integer: Int64(walks.open(walk)))
    }

    /// The items of the walk's next page, or nil when the walk is over.
    func nextPage(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let handle = Int(try arguments.integer(1))
        guard var walk = walks[handle] else {
            throw FotaCallError(call: "devices", code: "WALK_CLOSED",
                                message: "this listing loop was closed: more than \(PageWalks.limit) loops were left open at once")
        }
        let call = walk.listing == .devices ? "devices" : "upgrades"
        let cursor: String?
        do { cursor = try walk.walk.nextCursor() } catch {
            walks[handle] = nil
            throw FotaCallError(call: call, error)
        }
        guard let cursor else {
            walks[handle] = nil
            results.pushNil()
            return
        }
        let client = try runtime.requireClient(call)
        let account = walk.account
        let items: PageItems
        do {
            items = try fetchPage(&walk, cursor: cursor, client: client, account: account, stop: arguments.stopSignal)
        } catch let error as ThingSpaceError {
            walks[handle] = nil
            throw FotaCallError(call: call, error)
        }
        walks[handle] = walk
        switch items {
        case .devices(let devices): LuaModels.pushDevices(devices, into: &results)
        case .upgrades(let upgrades): try results.push(.array(upgrades.map(LuaModels.upgrade)))
        }
    }

    /// A page's items, as received.
    private enum PageItems {
        case devices([AccountDevice])
        case upgrades([FirmwareUpgrade])
    }

    private func fetchPage(_ walk: inout OpenWalk, cursor: String, client: ThingSpaceClient, account: String,
                           stop: LuaStopSignal) throws -> PageItems {
        switch walk.listing {
        case .devices:
            let clientType = walk.clientType
            let page = try waitFor(stop, call: "fota.devices") {
                try await client.accountDevicesPage(account: account, startIndex: cursor, clientType: clientType)
            }
            walk.walk.accept(hasMore: page.hasMoreData, next: page.lastSeenDeviceId)
            return .devices(page.deviceList)
        case .upgrades:
            let status = walk.status ?? ""
            let page = try waitFor(stop, call: "fota.upgrades") {
                try await client.upgradesPage(account: account, status: status, startIndex: cursor)
            }
            walk.walk.accept(hasMore: page.hasMoreFlag, next: page.lastSeenUpgradeId)
            return .upgrades(page.reportList)
        }
    }
}

/// One open walk of a listing loop.
struct OpenWalk {
    var listing: FotaCalls.Listing
    var account: String
    var status: String?
    /// fota.devices{clientType =}: OMADM or LWM2M.
    var clientType: String?
    var walk: PageWalk
}

/// The open walks of a run, by handle. A loop left with `break` never finishes its walk, so the
/// oldest walks are dropped beyond `limit` (a script keeps far fewer loops open at once).
struct PageWalks {
    static let limit = 64
    private var walks: [Int: OpenWalk] = [:]
    private var order: [Int] = []
    private var next = 1

    mutating func open(_ walk: OpenWalk) -> Int {
        let handle = next
        next += 1
        walks[handle] = walk
        order.append(handle)
        if order.count > Self.limit { walks[order.removeFirst()] = nil }
        return handle
    }

    subscript(handle: Int) -> OpenWalk? {
        get { walks[handle] }
        set {
            walks[handle] = newValue
            if newValue == nil { order.removeAll { $0 == handle } }
        }
    }
}
