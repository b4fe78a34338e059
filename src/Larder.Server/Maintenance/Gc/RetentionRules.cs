using Larder.Server.Errors;

namespace Larder.Server.Maintenance.Gc;

/// <summary>Validation of retention settings; each failure is a 400 naming the problem.</summary>
public static class RetentionRules
{
    /// <summary>The largest age limit (100 years).</summary>
    public const int MaxDays = 36_500;

    /// <summary>Whether <paramref name="days"/> is an acceptable age limit.</summary>
    public static bool IsValidDays(int days) => days is >= 1 and <= MaxDays;

    public static int ValidateDays(int days) =>
        IsValidDays(days) ? days : throw new InvalidRequestException($"invalid retention days {days}: it must be from 1 to {MaxDays}");

    public static long ValidateMaxSize(long bytes) =>
        bytes > 0 ? bytes : throw new InvalidRequestException($"invalid max size {bytes}: it must be a positive number of bytes");
}
