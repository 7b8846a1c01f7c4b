using System.Globalization;
using System.Text;

namespace ChatEngine.Training;

/// <summary>A self-contained SVG line chart of the training loss per step and the validation loss per epoch.</summary>
public static class LossCurveSvg
{
    private const int Width = 720, Height = 400, Left = 64, Right = 20, Top = 36, Bottom = 48;

    public static string Render(TrainingHistory history, string title)
    {
        var losses = history.StepLosses;
        var steps = Math.Max(1, losses.Count);
        var values = losses.Concat(history.Validation.Select(v => v.Loss)).Where(float.IsFinite).DefaultIfEmpty(0).ToArray();
        var max = NiceCeiling(values.Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        string X(double step) => F(Left + plotWidth * step / steps);
        string Y(double loss) => F(Top + plotHeight * (1 - loss / max));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        for (var i = 0; i <= 4; i++)
        {
            var loss = max * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(loss)}\" y2=\"{Y(loss)}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(loss)}\" text-anchor=\"end\" dy=\"4\">{F(loss)}</text>\n");
            var step = steps * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(step)}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{step}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">optimizer step</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"rotate(-90)\" x=\"{-(Top + plotHeight / 2)}\" y=\"16\" text-anchor=\"middle\">loss (nats / assistant token)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#444\"/>\n");
        if (losses.Count > 0)
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{string.Join(' ', losses.Select((l, i) => $"{X(i + 1)},{Y(l)}"))}\"/>\n");
        if (history.Validation.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"{string.Join(' ', history.Validation.Select(v => $"{X(v.Step)},{Y(v.Loss)}"))}\"/>\n");
            foreach (var v in history.Validation)
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(v.Step)}\" cy=\"{Y(v.Loss)}\" r=\"3.5\" fill=\"#d62728\"><title>epoch {v.Epoch}: validation loss {F(v.Loss)}</title></circle>\n");
        }
        var legendX = Width - Right - 170;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{legendX}\" x2=\"{legendX + 24}\" y1=\"{Top + 16}\" y2=\"{Top + 16}\" stroke=\"#1f77b4\" stroke-width=\"2\"/><text x=\"{legendX + 30}\" y=\"{Top + 20}\">training (per step)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{legendX}\" x2=\"{legendX + 24}\" y1=\"{Top + 34}\" y2=\"{Top + 34}\" stroke=\"#d62728\" stroke-width=\"2\"/><text x=\"{legendX + 30}\" y=\"{Top + 38}\">validation (per epoch)</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static float NiceCeiling(float value)
    {
        if (!(value > 0)) return 1;
        var magnitude = MathF.Pow(10, MathF.Floor(MathF.Log10(value)));
        foreach (var step in new[] { 1f, 2f, 2.5f, 5f, 10f })
            if (step * magnitude >= value) return step * magnitude;
        return 10 * magnitude;
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
