using System.Text.RegularExpressions;

namespace Larder.Cli.Commands.Use;

/// <summary>
/// Adds a substituter, its public key and (optionally) a <c>netrc-file</c> to nix.conf text, touching only the lines it
/// must: values are appended to an existing <c>extra-substituters</c>/<c>extra-trusted-public-keys</c> line, or a new line
/// is added at the end. Comments, ordering and all other lines are kept byte for byte. Idempotent.
/// </summary>
internal sealed partial class NixConfEditor
{
    private readonly List<string> _lines;
    private readonly bool _endsWithNewline;

    public NixConfEditor(string text)
    {
        _endsWithNewline = text.Length == 0 || text.EndsWith('\n');
        _lines = [.. text.Split('\n')];
        if (text.EndsWith('\n') || text.Length == 0)
        {
            _lines.RemoveAt(_lines.Count - 1);
        }
    }

    /// <summary>Descriptions of the changes made so far.</summary>
    public List<string> Changes { get; } = [];

    /// <summary>The edited text.</summary>
    public string Text => _lines.Count == 0 ? "" : string.Join('\n', _lines) + (_endsWithNewline || Changes.Count > 0 ? "\n" : "");

    /// <summary>Ensures <paramref name="url"/> is a substituter (in <c>substituters</c> or <c>extra-substituters</c>).</summary>
    public void EnsureSubstituter(string url)
    {
        var normalized = url.TrimEnd('/');
        if (ValuesOf("substituters").Concat(ValuesOf("extra-substituters")).Any(v => v.TrimEnd('/') == normalized))
        {
            return;
        }
        AppendValue("extra-substituters", url);
        Changes.Add($"added substituter {url}");
    }

    /// <summary>Ensures <paramref name="key"/> is trusted, replacing an older key of the same name in <c>extra-trusted-public-keys</c>.</summary>
    public void EnsureTrustedKey(string key)
    {
        if (ValuesOf("trusted-public-keys").Concat(ValuesOf("extra-trusted-public-keys")).Contains(key))
        {
            return;
        }
        var name = key[..(key.IndexOf(':', StringComparison.Ordinal) + 1)];
        for (var i = 0; i < _lines.Count; i++)
        {
            if (Parse(_lines[i]) is ("extra-trusted-public-keys", var values) && values.FirstOrDefault(v => v.StartsWith(name, StringComparison.Ordinal)) is { } old)
            {
                _lines[i] = $"extra-trusted-public-keys = {string.Join(' ', values.Select(v => v == old ? key : v))}{TrailingComment(_lines[i])}";
                Changes.Add($"replaced trusted public key {old} with {key}");
                return;
            }
        }
        AppendValue("extra-trusted-public-keys", key);
        Changes.Add($"added trusted public key {key}");
    }

    /// <summary>Every substituter URL in <c>substituters</c> and <c>extra-substituters</c>.</summary>
    public IEnumerable<string> Substituters => ValuesOf("substituters").Concat(ValuesOf("extra-substituters"));

    /// <summary>Removes <paramref name="url"/> from <c>extra-substituters</c> (dropping the line when it becomes empty).</summary>
    public void RemoveSubstituter(string url)
    {
        var normalized = url.TrimEnd('/');
        if (RemoveValue("extra-substituters", v => v.TrimEnd('/') == normalized))
        {
            Changes.Add($"removed substituter {url}");
        }
    }

    /// <summary>Removes <paramref name="key"/> from <c>extra-trusted-public-keys</c> (dropping the line when it becomes empty).</summary>
    public void RemoveTrustedKey(string key)
    {
        if (RemoveValue("extra-trusted-public-keys", v => v == key))
        {
            Changes.Add($"removed trusted public key {key}");
        }
    }

    /// <summary>The file named by the last <c>netrc-file</c> line, if any.</summary>
    public string? NetrcFile => _lines.Select(Parse).Where(p => p.Key == "netrc-file").Select(p => p.Values.FirstOrDefault()).LastOrDefault();

    /// <summary>Sets <c>netrc-file</c> to <paramref name="path"/> (replacing another value).</summary>
    public void SetNetrcFile(string path)
    {
        for (var i = _lines.Count - 1; i >= 0; i--)
        {
            if (Parse(_lines[i]) is ("netrc-file", var values))
            {
                if (values.FirstOrDefault() == path)
                {
                    return;
                }
                _lines[i] = $"netrc-file = {path}";
                Changes.Add($"changed netrc-file from {string.Join(' ', values)} to {path}");
                return;
            }
        }
        _lines.Add($"netrc-file = {path}");
        Changes.Add($"set netrc-file = {path}");
    }

    /// <summary>The values of every <paramref name="key"/> line, in order.</summary>
    public IEnumerable<string> ValuesOf(string key) =>
        _lines.Select(Parse).Where(p => p.Key == key).SelectMany(p => p.Values);

    private void AppendValue(string key, string value)
    {
        for (var i = 0; i < _lines.Count; i++)
        {
            if (Parse(_lines[i]) is var (lineKey, values) && lineKey == key)
            {
                _lines[i] = $"{key} = {string.Join(' ', values.Append(value))}{TrailingComment(_lines[i])}";
                return;
            }
        }
        _lines.Add($"{key} = {value}");
    }

    private bool RemoveValue(string key, Func<string, bool> match)
    {
        var removed = false;
        for (var i = _lines.Count - 1; i >= 0; i--)
        {
            if (Parse(_lines[i]) is var (lineKey, values) && lineKey == key && values.Any(match))
            {
                var kept = values.Where(v => !match(v)).ToList();
                var comment = TrailingComment(_lines[i]);
                if (kept.Count == 0 && comment.Length == 0)
                {
                    _lines.RemoveAt(i);
                }
                else
                {
                    _lines[i] = $"{key} = {string.Join(' ', kept)}{comment}";
                }
                removed = true;
            }
        }
        return removed;
    }

    private static string TrailingComment(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? "" : " " + line[hash..];
    }

    /// <summary>Splits <c>key = v1 v2 # comment</c>; a comment or blank line has a null key.</summary>
    private static (string? Key, List<string> Values) Parse(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        var content = hash >= 0 ? line[..hash] : line;
        var match = Assignment().Match(content);
        if (!match.Success)
        {
            return (null, []);
        }
        var values = match.Groups[2].Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        return (match.Groups[1].Value, values);
    }

    [GeneratedRegex(@"^\s*([A-Za-z0-9-]+)\s*=(.*)$")]
    private static partial Regex Assignment();
}
