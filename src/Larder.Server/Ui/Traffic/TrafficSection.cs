using System.Globalization;
using System.Text;
using Larder.Server.Metadata;
using Larder.Server.Traffic;

namespace Larder.Server.Ui.Traffic;

/// <summary>
/// The cache page's traffic: the narinfo hit rate of the last 7 days, two bar charts of them drawn as inline SVG on the
/// server (narinfo requests per hour, hits and misses stacked; NAR bytes served per hour), and the same figures as a
/// table of days for screen readers and for reading exact numbers. No script: a bar's figures are in its SVG title.
/// </summary>
internal static class TrafficSection
{
    /// <summary>How many hours the charts show (7 days, the current hour last).</summary>
    public const int Hours = 7 * 24;

    private const int BarWidth = 5;
    private const int ChartHeight = 120;
    private const int AxisHeight = 18;
    private const string HitColour = "#2a7d4f";
    private const string MissColour = "#c0504d";
    private const string BytesColour = "#1a5fb4";

    /// <summary>The first hour the charts show, for a page rendered at <paramref name="now"/>.</summary>
    public static DateTimeOffset From(DateTimeOffset now) => TrafficRecorder.HourOf(now).AddHours(1 - Hours);

    public static string Render(IReadOnlyList<TrafficHour> stored, DateTimeOffset now)
    {
        var from = From(now);
        var byHour = stored.ToDictionary(h => h.HourStart);
        var hours = Enumerable.Range(0, Hours)
            .Select(i => from.AddHours(i))
            .Select(h => byHour.TryGetValue(h, out var counts) ? counts : new TrafficHour(h, 0, 0, 0, 0))
            .ToList();
        long hits = hours.Sum(h => h.NarInfoHits), misses = hours.Sum(h => h.NarInfoMisses);
        var html = new StringBuilder();
        html.Append("""<section aria-labelledby="traffic"><h2 id="traffic">Traffic, last 7 days</h2>""");
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"hit-rate\">Narinfo hit rate: {HitRate(hits, misses)}</p>");
        if (hits + misses + hours.Sum(h => h.NarRequests) == 0)
        {
            return html.Append("<p>No narinfo or NAR requests in the last 7 days.</p></section>").ToString();
        }
        html.Append(Chart(
            "narinfo-chart", "Narinfo requests per hour (UTC)", $"{UiFormat.Number(hits)} hits and {UiFormat.Number(misses)} misses in 7 days; the table below gives them per day.",
            hours, h => [(h.NarInfoHits, HitColour), (h.NarInfoMisses, MissColour)],
            h => $"{h.HourStart:yyyy-MM-dd HH}:00 UTC: {h.NarInfoHits} hits, {h.NarInfoMisses} misses", UiFormat.Number));
        html.Append(CultureInfo.InvariantCulture, $"""<p><span style="color:{HitColour}">■</span> hits <span style="color:{MissColour}">■</span> misses</p>""");
        html.Append(Chart(
            "bytes-chart", "NAR bytes served per hour (UTC)", $"{UiFormat.Bytes(hours.Sum(h => h.NarBytes))} in {UiFormat.Number(hours.Sum(h => h.NarRequests))} NAR downloads in 7 days; the table below gives them per day.",
            hours, h => [(h.NarBytes, BytesColour)],
            h => $"{h.HourStart:yyyy-MM-dd HH}:00 UTC: {h.NarRequests} NAR downloads, {UiFormat.Bytes(h.NarBytes)}", UiFormat.Bytes));
        html.Append(DayTable(hours));
        return html.Append("</section>").ToString();
    }

    /// <summary>The hit rate as people read it, or a note that there were no narinfo requests.</summary>
    public static string HitRate(long hits, long misses) =>
        hits + misses == 0
            ? "no narinfo requests"
            : string.Create(CultureInfo.InvariantCulture, $"{100.0 * hits / (hits + misses):0.#}% ({UiFormat.Number(hits)} of {UiFormat.Number(hits + misses)} narinfo requests)");

    private static string Chart(
        string id, string title, string description, IReadOnlyList<TrafficHour> hours, Func<TrafficHour, (long Value, string Colour)[]> stack,
        Func<TrafficHour, string> barTitle, Func<long, string> format)
    {
        var max = Math.Max(1, hours.Max(h => stack(h).Sum(s => s.Value)));
        var width = hours.Count * BarWidth;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""
            <figure><svg id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" width="{width}" height="{ChartHeight + AxisHeight}"
            viewBox="0 0 {width} {ChartHeight + AxisHeight}" xmlns="http://www.w3.org/2000/svg">
            <title id="{id}-title">{UiPage.Text(title)}</title><desc id="{id}-desc">{UiPage.Text(description)}</desc>
            <rect x="0" y="0" width="{width}" height="{ChartHeight}" fill="#f7f7f7"/>
            """);
        for (var i = 0; i < hours.Count; i++)
        {
            var hour = hours[i];
            var top = ChartHeight;
            var bars = new StringBuilder();
            foreach (var (value, colour) in stack(hour))
            {
                var height = (int)Math.Round((double)value * ChartHeight / max);
                if (height == 0 && value > 0)
                {
                    height = 1;
                }
                top -= height;
                bars.Append(CultureInfo.InvariantCulture, $"""<rect x="{i * BarWidth}" y="{top}" width="{BarWidth - 1}" height="{height}" fill="{colour}"/>""");
            }
            if (bars.Length > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<g><title>{UiPage.Text(barTitle(hour))}</title>{bars}</g>");
            }
            if (hour.HourStart.Hour == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""
                    <line x1="{i * BarWidth}" y1="0" x2="{i * BarWidth}" y2="{ChartHeight + 4}" stroke="#999"/><text x="{i * BarWidth + 2}" y="{ChartHeight + AxisHeight - 4}" font-size="11">{hour.HourStart:MM-dd}</text>
                    """);
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="2" y="12" font-size="11">max {UiPage.Text(format(max))}</text></svg>""");
        return svg.Append(CultureInfo.InvariantCulture, $"<figcaption>{UiPage.Text(title)}</figcaption></figure>").ToString();
    }

    private static string DayTable(IReadOnlyList<TrafficHour> hours)
    {
        var table = new StringBuilder("""
            <table id="traffic-days"><caption>Traffic per day (UTC)</caption><thead><tr><th scope="col">Day</th><th scope="col">Narinfo hits</th>
            <th scope="col">Narinfo misses</th><th scope="col">Hit rate</th><th scope="col">NAR downloads</th><th scope="col">NAR bytes served</th></tr></thead><tbody>
            """);
        foreach (var day in hours.GroupBy(h => h.HourStart.UtcDateTime.Date).OrderByDescending(d => d.Key))
        {
            long hits = day.Sum(h => h.NarInfoHits), misses = day.Sum(h => h.NarInfoMisses);
            table.Append(CultureInfo.InvariantCulture, $"""
                <tr><th scope="row">{day.Key:yyyy-MM-dd}</th><td>{UiFormat.Number(hits)}</td><td>{UiFormat.Number(misses)}</td><td>{UiPage.Text(hits + misses == 0 ? "-" : HitRate(hits, misses))}</td>
                <td>{UiFormat.Number(day.Sum(h => h.NarRequests))}</td><td>{UiFormat.Bytes(day.Sum(h => h.NarBytes))}</td></tr>
                """);
        }
        return table.Append("</tbody></table>").ToString();
    }
}
