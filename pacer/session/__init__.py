"""pacer.session"""
