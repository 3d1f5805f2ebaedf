import LuaHost
import ThingSpace

/// Reading and validating `fota.*` arguments: each problem becomes
/// `bad argument #n to 'name' (…)`, naming the bad element and its value.
extension LuaArguments {
    func upgradeId(_ position: Int) throws -> String {
        let value = try requiredString(position, what: "upgrade id")
        do {
            try Validators.upgradeId(value)
        } catch {
            throw LuaArgumentError(position, "upgrade id \(quoted(value)) is not a UUID")
        }
        return value
    }

    func requiredString(_ position: Int, what: String) throws -> String {
        guard typeName(position) == "string" else {
            throw LuaArgumentError(position, "\(what) expected, got \(typeName(position))")
        }
        return try string(position).description
    }

    /// An IMEI string or an array of them; each must be 15 ASCII digits. Validated and
    /// de-duplicated once, here; the sender, journal, dry run and result share the list.
    func deviceList(_ position: Int) throws -> PreparedDevices {
        let value = try self.value(position)
        let items: [LuaValue]
        switch value {
        case .string: items = [value]
        case .array(let elements): items = elements
        case .map:
            throw LuaArgumentError(position, "device list must be an array of IMEI strings (a table with keys 1…n), got a table with other keys")
        default:
            throw LuaArgumentError(position, "IMEI string or array of IMEI strings expected, got \(typeName(position))")
        }
        guard !items.isEmpty else { throw LuaArgumentError(position, "device list is empty") }
        var devices: [String] = []
        devices.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw LuaArgumentError(position, "device #\(index + 1) is a \(item.typeName), not an IMEI string")
            }
            devices.append(s.description)
        }
        do {
            return try PreparedDevices(devices)
        } catch {
            if case .validation(let bad) = error, let at = bad.position {
                throw LuaArgumentError(position, "device #\(at) \(quoted(bad.value)) is not an IMEI (15 digits)")
            }
            throw LuaArgumentError(position, "\(error)")
        }
    }

    /// The options table at `position` (nil or a table with string keys).
    func options(_ position: Int, allowed: Set<String>) throws -> [String: LuaValue] {
        if isNil(position) { return [:] }
        guard case .map(let entries) = try value(position) else {
            if case .array(let elements) = try value(position), elements.isEmpty { return [:] }
            throw LuaArgumentError(position, "options table expected, got \(typeName(position))")
        }
        var options: [String: LuaValue] = [:]
        for (key, value) in entries {
            guard case .string(let name) = key, allowed.contains(name.description) else {
                let known = allowed.sorted().joined(separator: ", ")
                let shown: String
                switch key {
                case .string(let s): shown = "\"\(s.description)\""
                case .integer(let i): shown = "[\(i)]"
                case .number(let n): shown = "[\(n)]"
                case .boolean(let b): shown = "[\(b)]"
                }
                throw LuaArgumentError(position, "unknown option \(shown) (known: \(known))")
            }
            options[name.description] = value
        }
        return options
    }

    /// The account: `opts.account`, else the run's default; digits and hyphens.
    func account(_ options: [String: LuaValue], position: Int, runtime: FotaRuntime, callName: String = "call") throws -> String {
        if let given = options["account"] {
            guard case .string(let s) = given else {
                throw LuaArgumentError(position, "opts.account must be a string (leading zeros matter), got \(given.typeName)")
            }
            do { try Validators.account(s.description) } catch {
                throw LuaArgumentError(position, "opts.account \(quoted(s.description)) is not an account name (digits and hyphens)")
            }
            return s.description
        }
        guard let account = runtime.settings.defaultAccount else {
            if runtime.client == nil { _ = try runtime.requireClient(callName) }
            let hint = runtime.settings.hints.account.map { ", or " + $0 } ?? ""
            throw LuaArgumentError(position, "no account: pass opts.account" + hint)
        }
        return account
    }
}

func quoted(_ text: String) -> String {
    let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
    return "'" + shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }.joined() + "'"
}
