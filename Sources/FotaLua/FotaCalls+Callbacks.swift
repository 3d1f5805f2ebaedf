import Foundation
import LuaHost
import ThingSpace

/// The account's callback listener: fota.callbacks (read), fota.registerCallback and
/// fota.deleteCallback (changes, through `perform`). A callback URL may hold credentials
/// (user info, a token in the query) and the password is one: neither reaches the journal, an
/// error message or the script; URLs are shown as `FotaRuntime.shownEndpoint` shows endpoints.
extension FotaCalls {
    func callbacks(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let list = try read(arguments, optionsAt: 1, call: "callbacks") { client, account in
            try await client.callbacks(account: account)
        }
        try results.push(.array(list.map { callback in
            LuaModels.table([
                ("accountName", LuaModels.text(callback.aname)), ("name", .string(callback.name)),
                ("url", .string(FotaRuntime.shownEndpoint(callback.url))), ("username", LuaModels.text(callback.username)),
                ("hasPassword", .boolean(!(callback.password ?? "").isEmpty)),
            ])
        }))
    }

    /// fota.registerCallback{url=, username=, password=, account=}.
    func registerCallback(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = "registerCallback"
        guard arguments.typeName(1) == "table" else {
            throw LuaArgumentError(1, "table {url=, username=, password=, account=} expected, got \(arguments.typeName(1))")
        }
        let fields = try arguments.options(1, allowed: ["url", "username", "password", "account"])
        func text(_ name: String) throws -> String? {
            switch fields[name] {
            case nil, .nil?: return nil
            case .string(let s)?: return s.description
            case let other?: throw LuaArgumentError(1, "field '\(name)' must be a string, got \(other.typeName)")
            }
        }
        guard let url = try text("url") else { throw LuaArgumentError(1, "field 'url' is missing") }
        let shownURL = FotaRuntime.shownEndpoint(url)
        do { try Validators.callbackURL(url) } catch {
            throw LuaArgumentError(1, "field 'url' \(quoted(shownURL)) is not an absolute http:// or https:// URL")
        }
        let username = try text("username")
        let password = try text("password")
        let account = try arguments.account(fields, position: 1, runtime: runtime, callName: call)
        let stop = arguments.stopSignal
        let runtime = self.runtime
        let registration = CallbackRegistration(url: url, username: username, password: password)
        var intent: [String: LuaValue] = ["account": .string(account), "url": .string(shownURL)]
        if let username { intent["username"] = .string(username) }
        if password != nil { intent["password"] = "(given, not shown)" }
        try perform(Change<CallbackRegistrationResult>(
            call: call,
            intent: intent,
            dryRun: {
                runtime.plan.recordAccountChange("register the callback listener \(shownURL) (account \(account))")
                return (["result": "dry run: not sent"], LuaModels.table([
                    ("accountName", .string(account)), ("serviceName", .string(registration.name)), ("dryRun", .boolean(true)),
                ]))
            },
            send: {
                let client = try runtime.requireClient(call)
                return try waitFor(stop, call: "fota.\(call)") { try await client.registerCallback(account: account, registration) }
            },
            outcome: { answer in (["serviceName": LuaModels.text(answer.serviceName)], "the listener \(shownURL) was registered") },
            result: { answer in
                LuaModels.table([("accountName", LuaModels.text(answer.accountName ?? account)), ("serviceName", LuaModels.text(answer.serviceName))])
            }), &results)
    }

    /// fota.deleteCallback([opts]).
    func deleteCallback(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        try accountSwitch("deleteCallback", arguments, planned: "delete the callback listener", done: "the listener was deleted",
                          send: { client, account in try await client.deleteCallback(account: account) }, &results)
    }

    /// A change of the account that ThingSpace answers with `success` (fota.deleteCallback,
    /// fota.clearLicensesToRemove): `[opts]` with only `account`, one plan line, one journaled outcome.
    func accountSwitch(
        _ call: String, _ arguments: borrowing LuaArguments, planned: String, done: String,
        send: @escaping @Sendable (ThingSpaceClient, String) async throws -> Bool, _ results: inout LuaResults
    ) throws {
        let options = try arguments.options(1, allowed: ["account"])
        let account = try arguments.account(options, position: 1, runtime: runtime, callName: call)
        let stop = arguments.stopSignal
        let runtime = self.runtime
        try perform(Change<Bool>(
            call: call,
            intent: ["account": .string(account)],
            dryRun: {
                runtime.plan.recordAccountChange("\(planned) (account \(account))")
                return (["result": "dry run: not sent"], LuaModels.table([("success", .boolean(true)), ("dryRun", .boolean(true))]))
            },
            send: {
                let client = try runtime.requireClient(call)
                return try waitFor(stop, call: "fota.\(call)") { try await send(client, account) }
            },
            outcome: { success in (["success": .boolean(success)], success ? done : "ThingSpace answered success: false") },
            result: { success in LuaModels.table([("success", .boolean(success))]) }), &results)
    }
}
