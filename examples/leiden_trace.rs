fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let t = std::time::Instant::now();
    let (g, _) =
        coordnet::synth::graphs::lfr(&coordnet::synth::graphs::LfrConfig::new(n, 20.0, 0.3, 1));
    eprintln!("gen {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let p = coordnet::communities::leiden(&g, &Default::default()).unwrap();
    eprintln!(
        "leiden {:?} q {} k {}",
        t.elapsed(),
        p.quality,
        p.communities
    );
}
