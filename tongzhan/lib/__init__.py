"""Pure helpers with no models: crypto, masking, Chinese text, check digits."""
