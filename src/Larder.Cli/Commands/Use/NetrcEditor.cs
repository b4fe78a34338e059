using System.Text;
using System.Text.RegularExpressions;

namespace Larder.Cli.Commands.Use;

/// <summary>
/// Reads and edits the credentials for one host in netrc text: the entry for that <c>machine</c> is found whatever its
/// layout, and every other entry is kept exactly as written.
/// </summary>
internal static partial class NetrcEditor
{
    /// <summary>The login and password of <paramref name="host"/>'s entry, or null when it has none.</summary>
    public static (string? Login, string? Password)? GetMachine(string text, string host)
    {
        if (FindEntry(text, host) is not { } entry)
        {
            return null;
        }
        var tokens = Token().Matches(text[entry.Start..entry.End]).Select(m => m.Value).ToList();
        return (ValueAfter(tokens, "login"), ValueAfter(tokens, "password"));
    }

    /// <summary>Sets <paramref name="host"/>'s entry; returns the new text and whether anything changed.</summary>
    public static (string Text, bool Changed) SetMachine(string text, string host, string login, string password)
    {
        var entry = $"machine {host} login {login} password {password}\n";
        if (FindEntry(text, host) is { } found)
        {
            return Normalize(text[found.Start..found.End]) == Normalize(entry) ? (text, false) : (text[..found.Start] + entry + text[found.End..], true);
        }
        var builder = new StringBuilder(text);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            builder.Append('\n');
        }
        builder.Append(entry);
        return (builder.ToString(), true);
    }

    /// <summary>Removes <paramref name="host"/>'s entry; returns the new text and whether there was one.</summary>
    public static (string Text, bool Changed) RemoveMachine(string text, string host) =>
        FindEntry(text, host) is { } found ? (text[..found.Start] + text[found.End..], true) : (text, false);

    /// <summary>Where <paramref name="host"/>'s entry starts and where the next entry (or the end) starts.</summary>
    private static (int Start, int End)? FindEntry(string text, string host)
    {
        var tokens = Token().Matches(text);
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].Value != "machine" || tokens[i + 1].Value != host)
            {
                continue;
            }
            for (var j = i + 2; j < tokens.Count; j++)
            {
                if (tokens[j].Value is "machine" or "default" or "macdef")
                {
                    return (tokens[i].Index, tokens[j].Index);
                }
            }
            return (tokens[i].Index, text.Length);
        }
        return null;
    }

    private static string? ValueAfter(List<string> tokens, string keyword)
    {
        var index = tokens.IndexOf(keyword);
        return index >= 0 && index + 1 < tokens.Count ? tokens[index + 1] : null;
    }

    private static string Normalize(string entry) => string.Join(' ', Token().Matches(entry).Select(m => m.Value));

    [GeneratedRegex(@"\S+")]
    private static partial Regex Token();
}
