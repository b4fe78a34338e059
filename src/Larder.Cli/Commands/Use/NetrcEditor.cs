using System.Text;
using System.Text.RegularExpressions;

namespace Larder.Cli.Commands.Use;

/// <summary>
/// Sets the credentials for one host in netrc text: the entry for that <c>machine</c> is replaced (whatever its layout),
/// every other entry is kept exactly as written.
/// </summary>
internal static partial class NetrcEditor
{
    /// <summary>Returns the new text and whether anything changed.</summary>
    public static (string Text, bool Changed) SetMachine(string text, string host, string login, string password)
    {
        var entry = $"machine {host} login {login} password {password}\n";
        var tokens = Token().Matches(text);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Value != "machine" || i + 1 >= tokens.Count || tokens[i + 1].Value != host)
            {
                continue;
            }
            var start = tokens[i].Index;
            var end = text.Length;
            for (var j = i + 2; j < tokens.Count; j++)
            {
                if (tokens[j].Value is "machine" or "default" or "macdef")
                {
                    end = tokens[j].Index;
                    break;
                }
            }
            var current = text[start..end];
            if (Normalize(current) == Normalize(entry))
            {
                return (text, false);
            }
            return (text[..start] + entry + text[end..], true);
        }
        var builder = new StringBuilder(text);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            builder.Append('\n');
        }
        builder.Append(entry);
        return (builder.ToString(), true);
    }

    private static string Normalize(string entry) => string.Join(' ', Token().Matches(entry).Select(m => m.Value));

    [GeneratedRegex(@"\S+")]
    private static partial Regex Token();
}
