using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ChatEngine.Samples.SemanticKernel;

/// <summary>A C# plugin the model may call; it remembers the cities it was asked about.</summary>
public sealed class WeatherPlugin
{
    private readonly List<string> _cities = [];

    public IReadOnlyList<string> Cities
    {
        get
        {
            lock (_cities) return [.. _cities];
        }
    }

    [KernelFunction("get_weather"), Description("The current weather in a city")]
    public string GetWeather([Description("The city")] string city)
    {
        lock (_cities) _cities.Add(city);
        return $"Sunny, 21 degrees in {city}";
    }
}
