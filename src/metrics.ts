// The figures /metrics serves, in the Prometheus text format: counters, gauges read when scraped,
// and histograms. Names and help are declared once, where each figure is made.

type Labels = Record<string, string>;

const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? "" : `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`).join(",")}}`;
};

interface Family {
  help: string;
  type: "counter" | "gauge" | "histogram";
  lines(name: string): string[];
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  /** A counter; `inc` adds one (or `by`) to the series of `labels`. One without labels starts at 0. */
  counter(name: string, help: string, labeled = false) {
    const series = new Map<string, number>(labeled ? [] : [["", 0]]);
    this.families.set(name, {
      help,
      type: "counter",
      lines: (n) => [...series].map(([labels, value]) => `${n}${labels} ${value}`),
    });
    return (labels: Labels = {}, by = 1) => {
      const key = labelText(labels);
      series.set(key, (series.get(key) ?? 0) + by);
    };
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.families.set(name, { help, type: "gauge", lines: (n) => [`${n} ${read()}`] });
  }

  /** A histogram of seconds; `observe` takes milliseconds. */
  histogram(name: string, help: string, bucketsSeconds: number[]) {
    const counts = bucketsSeconds.map(() => 0);
    let sum = 0;
    let count = 0;
    this.families.set(name, {
      help,
      type: "histogram",
      lines: (n) => [
        ...bucketsSeconds.map((le, i) => `${n}_bucket{le="${le}"} ${counts[i]}`),
        `${n}_bucket{le="+Inf"} ${count}`,
        `${n}_sum ${sum}`,
        `${n}_count ${count}`,
      ],
    });
    return (milliseconds: number) => {
      const seconds = milliseconds / 1000;
      for (let i = 0; i < bucketsSeconds.length; i++) if (seconds <= bucketsSeconds[i]!) counts[i]!++;
      sum += seconds;
      count++;
    };
  }

  text(): string {
    const out: string[] = [];
    for (const [name, family] of this.families) {
      out.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`, ...family.lines(name));
    }
    return `${out.join("\n")}\n`;
  }
}
