//! The real data sets in ../shared/data, read whole.

use super::*;
use coordnet::dataset::Summary;
use coordnet::dataset::TimeResolution;

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn ira_october_2016_reads_every_row() {
    let p = shared("ira-2016-10/tweets.csv.gz");
    let (d, r) = read(&[p]);
    assert_balanced(&r);
    assert_eq!((r.rows_read, r.rows_rejected), (88_582, 0));
    assert_eq!(r.files[0].format, Some(coordnet::Format::Ira));
    let s = Summary::of(&d);
    assert_eq!(s.posting_accounts, 217);
    assert_eq!((s.retweets, s.quotes, s.originals), (70_229, 321, 18_032));
    // The layout has no retweet sources: all of them are unknown until graphs recover them.
    assert_eq!(s.retweets_without_source, 70_229);
    assert!((0..d.len()).all(|i| d.resolution(i) == TimeResolution::Minute));
    // Hashtags come from the text; the known category tags are there.
    for tag in ["maga", "tcot", "blacklivesmatter", "news"] {
        assert!(d.hashtags.lookup(tag).is_some(), "#{tag} missing");
    }
    // Texts wrapped in single quotes lose the wrapping.
    assert!(!d
        .texts
        .iter()
        .any(|t| t.starts_with("'@") && t.ends_with('\'')));
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn coortweet_shares_keep_every_action() {
    let p = shared("coortweet/russian_coord_tweets.csv.gz");
    let (d, r) = read(&[p]);
    assert_balanced(&r);
    assert_eq!(r.rows_read, 35_125);
    // One row is repeated whole; 39 reuse a content id for another object and are kept.
    assert_eq!(r.rows_rejected, 1);
    assert_eq!(r.reused_tweet_ids, 39);
    let s = Summary::of(&d);
    assert_eq!(s.posting_accounts, 9_509);
    assert_eq!(s.retweets, 35_124);
    // Every retweet names its object: the 7,285 the data's README counts.
    assert_eq!(s.retweeted_posts, 7_285);
    assert!((0..d.len()).all(|i| d.resolution(i) == TimeResolution::Second));
}
