import ArgumentParser

@main
struct Fota: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fota",
        abstract: "Drive ThingSpace firmware-over-the-air campaigns with Lua scripts.",
        discussion: """
            Scripts run in a sandbox with memory, CPU and wall-clock limits; every change they \
            make is validated and journaled. Rehearse against the built-in simulator first:

              fota run --simulate canary.lua --count 5     (examples/ in the docs)
              fota run --dry-run my-campaign.lua        (reads for real, sends no change)
              fota plan my-campaign.lua -o plan.json    (the dry run's plan, saved)
              fota apply plan.json                      (exactly that plan, or nothing if ThingSpace moved)
              fota repl --simulate                      (an interactive prompt)

            One-shot commands answer the usual questions without a script (-o table|json|csv):
              fota upgrades --status InProgress     fota devices --model M --eligible
              fota upgrade ID    fota firmware    fota history IMEI…    fota cancel ID

            `man fota` and `man fota-run` list exit statuses and the sandbox guarantees; the Lua API \
            is in \(InstalledDocs.describe("lua-api.md")) and `help()` in `fota repl`.
            """,
        version: FotaVersion.text,
        subcommands: [
            RunCommand.self, ReplCommand.self, SimCommand.self, PlanCommand.self, ApplyCommand.self, JournalCommand.self,
            UpgradesCommand.self, UpgradeCommand.self, DevicesCommand.self, FirmwareCommand.self, HistoryCommand.self,
            CancelCommand.self,
        ]
    )
}
