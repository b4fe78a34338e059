using System.Globalization;

namespace Larder.Contracts.Caches;

/// <summary>
/// Sizes written for people: a whole or decimal number with an optional binary unit <c>K</c>, <c>M</c>, <c>G</c>,
/// <c>T</c> (optionally followed by <c>iB</c> or <c>B</c>, any case), e.g. <c>50G</c>, <c>1.5T</c>, <c>512MiB</c>,
/// <c>1000000</c> (bytes). Shared by the CLI's <c>--max-size</c> and the server's <c>Larder:Retention:MaxSize</c>.
/// </summary>
public static class ByteSizeText
{
    /// <summary>A size for people: whole bytes below 1 KiB, else one decimal in the largest binary unit that fits (<c>1.5 GiB</c>).</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var unit = 0;
        double value = bytes;
        for (; Math.Abs(value) >= 1024 && unit < units.Length - 1; unit++)
        {
            value /= 1024;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    /// <summary>The size in bytes, or null with <paramref name="problem"/> naming what is wrong.</summary>
    public static long? TryParse(string? text, out string? problem)
    {
        problem = null;
        var value = (text ?? "").Trim();
        var digits = 0;
        while (digits < value.Length && (char.IsAsciiDigit(value[digits]) || value[digits] == '.'))
        {
            digits++;
        }
        if (digits == 0 || !decimal.TryParse(value.AsSpan(0, digits), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            problem = $"invalid size '{text}': expected a number with an optional unit K, M, G or T, such as 50G";
            return null;
        }
        var unit = value[digits..].Trim().ToUpperInvariant();
        int? shift = unit switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => null,
        };
        if (shift is null)
        {
            problem = $"invalid size '{text}': unknown unit '{value[digits..].Trim()}' (use K, M, G or T)";
            return null;
        }
        var bytes = number * (1L << shift.Value);
        if (bytes < 1 || bytes > long.MaxValue / 2)
        {
            problem = $"invalid size '{text}': it must be at least 1 byte and at most 4 EiB";
            return null;
        }
        return (long)decimal.Floor(bytes);
    }
}
