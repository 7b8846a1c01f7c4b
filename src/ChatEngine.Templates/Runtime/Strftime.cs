using System.Globalization;
using System.Text;

namespace ChatEngine.Templates.Runtime;

/// <summary>C-locale strftime as Python's datetime.strftime does it on Linux (including glibc's %-d style flag).</summary>
internal static class Strftime
{
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static string Format(DateTimeOffset time, string format)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var noPadding = format[i + 1] == '-';
            if (noPadding) i++;
            if (i + 1 >= format.Length) throw new TemplateRuntimeError("strftime: format ends inside a directive");
            var directive = format[++i];
            sb.Append(Directive(time, directive, noPadding));
        }
        return sb.ToString();
    }

    private static string Number(int value, int width, bool noPadding) =>
        value.ToString(noPadding ? "0" : new string('0', width), CultureInfo.InvariantCulture);

    private static string Directive(DateTimeOffset t, char directive, bool noPadding)
    {
        var hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        return directive switch
        {
            'a' => DayNames[(int)t.DayOfWeek][..3],
            'A' => DayNames[(int)t.DayOfWeek],
            'b' or 'h' => MonthNames[t.Month - 1][..3],
            'B' => MonthNames[t.Month - 1],
            'd' => Number(t.Day, 2, noPadding),
            'e' => noPadding ? Number(t.Day, 1, true) : t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
            'm' => Number(t.Month, 2, noPadding),
            'y' => Number(t.Year % 100, 2, noPadding),
            'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
            'H' => Number(t.Hour, 2, noPadding),
            'I' => Number(hour12, 2, noPadding),
            'M' => Number(t.Minute, 2, noPadding),
            'S' => Number(t.Second, 2, noPadding),
            'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture),
            'p' => t.Hour < 12 ? "AM" : "PM",
            'j' => Number(t.DayOfYear, 3, noPadding),
            'w' => ((int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
            'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
            'z' => (t.Offset < TimeSpan.Zero ? "-" : "+") + t.Offset.ToString("hhmm", CultureInfo.InvariantCulture),
            'D' => Format(t, "%m/%d/%y"),
            'F' => Format(t, "%Y-%m-%d"),
            'T' => Format(t, "%H:%M:%S"),
            'R' => Format(t, "%H:%M"),
            'c' => Format(t, "%a %b ") + t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + Format(t, " %H:%M:%S %Y"),
            'x' => Format(t, "%m/%d/%y"),
            'X' => Format(t, "%H:%M:%S"),
            '%' => "%",
            _ => throw new TemplateRuntimeError($"strftime: unsupported directive '%{directive}'"),
        };
    }
}
