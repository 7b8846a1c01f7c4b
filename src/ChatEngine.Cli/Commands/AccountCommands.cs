using System.CommandLine;
using System.Globalization;
using ChatEngine.Accounts;

namespace ChatEngine.Cli.Commands;

/// <summary>
/// <c>users add|list|remove|reset-password</c> and <c>keys create|list|revoke</c>: the accounts of a data directory
/// (<c>--data-dir</c>, see <see cref="CommonOptions.DataDirectory"/>), the ones <c>serve --data-dir</c> checks keys against.
/// </summary>
internal static class AccountCommands
{
    public static Command Users()
    {
        var add = new Command("add", "add a user (the server then needs a key for every endpoint but /health)");
        var name = UserArgument(add);
        var (password, passwordStdin) = PasswordOptions(add);
        var admin = new Option<bool>("--admin") { Description = "the user may manage other users" };
        add.Options.Add(admin);
        var addDir = DataDir(add);
        add.SetAction(parse =>
        {
            var user = Store(parse, addDir).AddUser(parse.GetValue(name)!, Password(parse, password, passwordStdin), parse.GetValue(admin));
            Console.WriteLine($"added user {user.Name}{(user.IsAdmin ? " (admin)" : "")}");
            return 0;
        });

        var list = new Command("list", "list the users");
        var listDir = DataDir(list);
        list.SetAction(parse =>
        {
            var users = Store(parse, listDir).ListUsers();
            var width = users.Count == 0 ? 0 : users.Max(u => u.Name.Length);
            foreach (var user in users) Console.WriteLine($"{user.Name.PadRight(width)}  {(user.IsAdmin ? "admin" : "user "),-5}  created {Time(user.CreatedUtc)}");
            return 0;
        });

        var remove = new Command("remove", "remove a user and all their keys");
        var removeName = UserArgument(remove);
        var removeDir = DataDir(remove);
        remove.SetAction(parse =>
        {
            Store(parse, removeDir).RemoveUser(parse.GetValue(removeName)!);
            Console.WriteLine($"removed user {parse.GetValue(removeName)}");
            return 0;
        });

        var reset = new Command("reset-password", "set a user's password");
        var resetName = UserArgument(reset);
        var (resetPassword, resetStdin) = PasswordOptions(reset);
        var resetDir = DataDir(reset);
        reset.SetAction(parse =>
        {
            Store(parse, resetDir).ResetPassword(parse.GetValue(resetName)!, Password(parse, resetPassword, resetStdin));
            Console.WriteLine($"reset the password of {parse.GetValue(resetName)}");
            return 0;
        });
        return new Command("users", "manage the users of a data directory") { add, list, remove, reset };
    }

    public static Command Keys()
    {
        var create = new Command("create", "make an API key for a user and print it (only this once) on stdout");
        var user = UserArgument(create);
        var createDir = DataDir(create);
        create.SetAction(parse =>
        {
            var (key, plaintext) = Store(parse, createDir).CreateKey(parse.GetValue(user)!);
            Console.Error.WriteLine($"key {key.Id} ({key.Prefix}...) for {key.UserName}: keep it now, it is not shown again");
            Console.WriteLine(plaintext);
            return 0;
        });

        var list = new Command("list", "list the keys (never the keys themselves: their id and first characters)");
        var owner = new Argument<string?>("user") { Description = "only this user's keys", Arity = ArgumentArity.ZeroOrOne };
        list.Arguments.Add(owner);
        var listDir = DataDir(list);
        list.SetAction(parse =>
        {
            var keys = Store(parse, listDir).ListKeys(parse.GetValue(owner));
            var width = keys.Count == 0 ? 0 : keys.Max(k => k.UserName.Length);
            foreach (var key in keys)
            {
                var state = key.RevokedUtc is { } revoked ? $"revoked {Time(revoked)}" : key.LastUsedUtc is { } used ? $"last used {Time(used)}" : "never used";
                Console.WriteLine($"{key.Id,4}  {key.Prefix}...  {key.UserName.PadRight(width)}  created {Time(key.CreatedUtc)}  {state}");
            }
            return 0;
        });

        var revoke = new Command("revoke", "revoke a key: the server refuses it from the next request on");
        var which = new Argument<string>("key") { Description = "the key's id or prefix, as 'chatengine keys list' shows them" };
        revoke.Arguments.Add(which);
        var revokeDir = DataDir(revoke);
        revoke.SetAction(parse =>
        {
            var key = Store(parse, revokeDir).RevokeKey(parse.GetValue(which)!.TrimEnd('.'));
            Console.WriteLine($"revoked key {key.Id} ({key.Prefix}...) of {key.UserName}");
            return 0;
        });
        return new Command("keys", "manage the API keys of a data directory's users") { create, list, revoke };
    }

    private static Argument<string> UserArgument(Command command)
    {
        var name = new Argument<string>("name") { Description = "user name" };
        command.Arguments.Add(name);
        return name;
    }

    private static Option<string> DataDir(Command command)
    {
        var option = CommonOptions.DataDir();
        command.Options.Add(option);
        return option;
    }

    private static (Option<string> Password, Option<bool> Stdin) PasswordOptions(Command command)
    {
        var password = new Option<string>("--password") { Description = "the password (visible to other local users in the process list: prefer --password-stdin)" };
        var stdin = new Option<bool>("--password-stdin") { Description = "read the password from the first line of standard input" };
        command.Options.Add(password);
        command.Options.Add(stdin);
        return (password, stdin);
    }

    private static string Password(ParseResult parse, Option<string> password, Option<bool> stdin)
    {
        var given = parse.GetValue(password);
        var fromStdin = parse.GetValue(stdin);
        if (given is not null && fromStdin) throw new CliUsageException("give the password with --password or --password-stdin, not both");
        if (given is not null) return given;
        if (!fromStdin) throw new CliUsageException("a password is required: --password P or --password-stdin");
        return Console.In.ReadLine() ?? throw new CliUsageException("--password-stdin: standard input is empty");
    }

    private static AccountStore Store(ParseResult parse, Option<string> dataDir) =>
        AccountStore.Open(CommonOptions.DataDirectory(parse.GetValue(dataDir)));

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
