"""Audio features: kaldi-native-fbank filter banks (offline and streaming), resampling, normalisation."""
